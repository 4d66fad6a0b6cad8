#include "window/labels.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "util/file.h"

namespace lc {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool parse_double(std::string_view s, double& v) {
  s = trim(s);
  if (s.empty()) return false;
  const auto res = std::from_chars(s.data(), s.data() + s.size(), v);
  return res.ec == std::errc() && res.ptr == s.data() + s.size() && std::isfinite(v);
}

}  // namespace

Expected<std::vector<LabelInterval>> parse_labels_csv(const std::string& text, const std::string& name) {
  std::vector<LabelInterval> out;
  std::size_t pos = 0;
  long line_no = 0;
  bool header_seen = false;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string_view line = trim(std::string_view(text).substr(pos, nl - pos));
    pos = nl + 1;
    ++line_no;
    if (line.empty()) continue;
    if (!header_seen) {
      if (line != "start,end,state")
        return Error::at(name, line_no, "expected the header 'start,end,state', got '" + std::string(line) + "'");
      header_seen = true;
      continue;
    }
    const std::size_t c1 = line.find(',');
    const std::size_t c2 = c1 == std::string_view::npos ? c1 : line.find(',', c1 + 1);
    if (c2 == std::string_view::npos || line.find(',', c2 + 1) != std::string_view::npos)
      return Error::at(name, line_no, "expected 3 fields 'start,end,state'");
    LabelInterval iv;
    if (!parse_double(line.substr(0, c1), iv.start_s))
      return Error::at(name, line_no, "field 'start' is not a number: '" + std::string(line.substr(0, c1)) + "'");
    if (!parse_double(line.substr(c1 + 1, c2 - c1 - 1), iv.end_s))
      return Error::at(name, line_no, "field 'end' is not a number");
    const auto st = parse_state(trim(line.substr(c2 + 1)));
    if (!st)
      return Error::at(name, line_no,
                       "field 'state' must be EMPTY, LOADING, LOADED or UNLOADING, got '" +
                           std::string(trim(line.substr(c2 + 1))) + "'");
    iv.state = *st;
    if (!(iv.end_s > iv.start_s)) return Error::at(name, line_no, "'end' must be after 'start'");
    if (!out.empty() && std::fabs(iv.start_s - out.back().end_s) > 1e-3)
      return Error::at(name, line_no,
                       "rows must be sorted and contiguous: 'start' differs from the previous row's 'end'");
    out.push_back(iv);
  }
  if (!header_seen) return Error::at(name, 1, "empty labels file (expected the header 'start,end,state')");
  return out;
}

Expected<std::vector<LabelInterval>> read_labels_csv(const std::string& path) {
  LC_TRY(text, read_file(path));
  return parse_labels_csv(text, path);
}

std::string format_labels_csv(const std::vector<LabelInterval>& labels) {
  std::string out = "start,end,state\n";
  char buf[96];
  for (std::size_t i = 0; i < labels.size();) {
    std::size_t j = i;
    while (j + 1 < labels.size() && labels[j + 1].state == labels[i].state) ++j;
    std::snprintf(buf, sizeof buf, "%.3f,%.3f,", labels[i].start_s, labels[j].end_s);
    out += buf;
    out += state_name(labels[i].state);
    out += '\n';
    i = j + 1;
  }
  return out;
}

Status write_labels_csv(const std::string& path, const std::vector<LabelInterval>& labels) {
  return write_file_atomic(path, format_labels_csv(labels));
}

std::optional<State> state_at(const std::vector<LabelInterval>& labels, double t_s) {
  // Binary search on start times.
  std::size_t lo = 0, hi = labels.size();
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    if (labels[mid].end_s <= t_s) lo = mid + 1;
    else hi = mid;
  }
  if (lo < labels.size() && labels[lo].start_s <= t_s && t_s < labels[lo].end_s) return labels[lo].state;
  return std::nullopt;
}

}  // namespace lc
