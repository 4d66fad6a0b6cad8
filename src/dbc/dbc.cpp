#include "dbc/dbc.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>

#include "util/file.h"

namespace lc::dbc {
namespace {

bool is_ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

class Parser {
 public:
  Parser(std::string_view text, const std::string& name) : m_s(text), m_name(name) {}

  Expected<Database> run();

 private:
  std::string_view m_s;
  const std::string& m_name;
  std::size_t m_pos = 0;
  long m_line = 1;
  Database m_db;
  std::set<std::uint32_t> m_ids;

  Error err(const std::string& msg) const { return Error::at(m_name, m_line, msg); }
  Error err_at(long line, const std::string& msg) const { return Error::at(m_name, line, msg); }

  bool eof() const { return m_pos >= m_s.size(); }
  char peek() const { return eof() ? '\0' : m_s[m_pos]; }

  // Skips spaces and tabs; with `newlines` also line breaks.
  void skip_ws(bool newlines = true) {
    while (!eof()) {
      const char c = m_s[m_pos];
      if (c == '\n') {
        if (!newlines) return;
        ++m_line;
      } else if (c != ' ' && c != '\t' && c != '\r') {
        return;
      }
      ++m_pos;
    }
  }
  bool at_line_end() {
    skip_ws(false);
    return eof() || peek() == '\n';
  }
  void skip_line() {
    while (!eof() && m_s[m_pos] != '\n') ++m_pos;
  }

  std::string_view ident() {
    skip_ws();
    const std::size_t b = m_pos;
    while (!eof() && is_ident_char(m_s[m_pos])) ++m_pos;
    return m_s.substr(b, m_pos - b);
  }

  bool accept(char c) {
    skip_ws();
    if (peek() == c) {
      ++m_pos;
      return true;
    }
    return false;
  }
  Status expect(char c, const char* what) {
    if (!accept(c)) return err(std::string("expected '") + c + "' " + what);
    return ok();
  }

  // A number token as text (sign, digits, '.', exponent, hex "0x").
  std::string_view number_text() {
    skip_ws();
    const std::size_t b = m_pos;
    if (peek() == '-' || peek() == '+') ++m_pos;
    while (!eof()) {
      const char c = m_s[m_pos];
      if ((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == 'x' || c == 'X' ||
          ((c == '-' || c == '+') && m_pos > b && (m_s[m_pos - 1] == 'e' || m_s[m_pos - 1] == 'E')) ||
          (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
        ++m_pos;
      else
        break;
    }
    return m_s.substr(b, m_pos - b);
  }
  Expected<double> number(const char* what) {
    const std::string_view t = number_text();
    double v = 0;
    std::string_view u = t;
    if (!u.empty() && u[0] == '+') u.remove_prefix(1);
    const auto r = std::from_chars(u.data(), u.data() + u.size(), v);
    if (t.empty() || r.ec != std::errc() || r.ptr != u.data() + u.size() || !std::isfinite(v))
      return err(std::string("expected a number for ") + what + ", got '" + std::string(t) + "'");
    return v;
  }
  Expected<std::uint64_t> unsigned_int(const char* what) {
    const std::string_view t = number_text();
    std::uint64_t v = 0;
    const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || r.ec != std::errc() || r.ptr != t.data() + t.size())
      return err(std::string("expected an unsigned integer for ") + what + ", got '" + std::string(t) + "'");
    return v;
  }
  Expected<std::int64_t> signed_int(const char* what) {
    const std::string_view t = number_text();
    std::int64_t v = 0;
    std::string_view u = t;
    if (!u.empty() && u[0] == '+') u.remove_prefix(1);
    const auto r = std::from_chars(u.data(), u.data() + u.size(), v);
    if (t.empty() || r.ec != std::errc() || r.ptr != u.data() + u.size())
      return err(std::string("expected an integer for ") + what + ", got '" + std::string(t) + "'");
    return v;
  }
  Expected<std::string> quoted(const char* what) {
    skip_ws();
    if (peek() != '"') return err(std::string("expected a quoted string for ") + what);
    const long start_line = m_line;
    ++m_pos;
    std::string out;
    while (true) {
      if (eof()) return err_at(start_line, std::string("unterminated string in ") + what);
      const char c = m_s[m_pos++];
      if (c == '"') break;
      if (c == '\\' && !eof() && (m_s[m_pos] == '"' || m_s[m_pos] == '\\')) {
        out += m_s[m_pos++];
        continue;
      }
      if (c == '\n') ++m_line;
      out += c;
    }
    return out;
  }
  Status skip_to_semicolon(const std::string& keyword) {
    const long start_line = m_line;
    while (!eof()) {
      const char c = m_s[m_pos];
      if (c == '"') {
        LC_TRY(s, quoted(keyword.c_str()));
        (void)s;
        continue;
      }
      ++m_pos;
      if (c == '\n') ++m_line;
      if (c == ';') return ok();
    }
    return err_at(start_line, keyword + " is missing its terminating ';'");
  }

  Message* message(std::uint32_t id) {
    for (auto& m : m_db.messages)
      if (m.id == id) return &m;
    return nullptr;
  }
  Expected<Signal*> signal(std::uint32_t id, std::string_view sig_name, const char* what) {
    Message* m = message(id);
    if (m == nullptr) return err(std::string(what) + " names message id " + std::to_string(id) + ", which no BO_ defines");
    for (auto& s : m->signals)
      if (s.name == sig_name) return &s;
    return err(std::string(what) + " names signal '" + std::string(sig_name) + "', which message " + m->name +
               " does not have");
  }

  Status parse_bo();
  Status parse_sg();
  Status parse_cm();
  Status parse_ba_def();
  Status parse_ba_def_def();
  Status parse_ba();
  Status parse_val();
  Status parse_sig_valtype();
  Expected<AttributeValue> attribute_value();
};

Status Parser::parse_bo() {
  LC_TRY(id, unsigned_int("the BO_ message id"));
  if (id > 0xFFFFFFFFull) return err("BO_ message id out of range");
  const std::string_view nm = ident();
  if (nm.empty()) return err("expected a message name after the BO_ id");
  LC_TRY_STATUS(expect(':', "after the BO_ message name"));
  LC_TRY(dlc, unsigned_int("the BO_ length"));
  if (dlc > 64) return err("BO_ length " + std::to_string(dlc) + " is more than 64 bytes");
  Message m;
  m.id = static_cast<std::uint32_t>(id);
  m.name = std::string(nm);
  m.dlc = static_cast<std::uint8_t>(dlc);
  if (!at_line_end()) m.transmitter = std::string(ident());
  if (!m_ids.insert(m.id).second) return err("duplicate message id " + std::to_string(id));
  m_db.messages.push_back(std::move(m));
  return ok();
}

Status Parser::parse_sg() {
  if (m_db.messages.empty()) return err("SG_ before any BO_");
  Message& msg = m_db.messages.back();
  Signal s;
  s.name = std::string(ident());
  if (s.name.empty()) return err("expected a signal name after SG_");
  skip_ws(false);
  if (peek() != ':') {
    const std::string_view mux = ident();
    if (mux.empty() || !(mux == "M" || (mux[0] == 'm'))) return err("malformed multiplexer indicator in SG_ " + s.name);
    s.mux = std::string(mux);
  }
  LC_TRY_STATUS(expect(':', "after the signal name"));
  LC_TRY(start, unsigned_int("the start bit"));
  LC_TRY_STATUS(expect('|', "between start bit and length"));
  LC_TRY(len, unsigned_int("the signal length"));
  LC_TRY_STATUS(expect('@', "before the byte order"));
  skip_ws();
  const char order = peek();
  if (order != '0' && order != '1') return err("byte order of SG_ " + s.name + " must be @0 or @1");
  ++m_pos;
  const char sign = peek();
  if (sign != '+' && sign != '-') return err("signedness of SG_ " + s.name + " must be + or -");
  ++m_pos;
  LC_TRY_STATUS(expect('(', "before factor,offset"));
  LC_TRY(factor, number("the factor"));
  LC_TRY_STATUS(expect(',', "between factor and offset"));
  LC_TRY(offset, number("the offset"));
  LC_TRY_STATUS(expect(')', "after factor,offset"));
  LC_TRY_STATUS(expect('[', "before [min|max]"));
  LC_TRY(mn, number("the minimum"));
  LC_TRY_STATUS(expect('|', "between minimum and maximum"));
  LC_TRY(mx, number("the maximum"));
  LC_TRY_STATUS(expect(']', "after [min|max]"));
  LC_TRY(unit, quoted("the unit"));
  while (!at_line_end()) {
    const std::string_view r = ident();
    if (r.empty()) return err("unexpected character '" + std::string(1, peek()) + "' in the receivers of SG_ " + s.name);
    s.receivers.emplace_back(r);
    skip_ws(false);
    if (peek() == ',') ++m_pos;
  }
  if (len < 1 || len > 64) return err("SG_ " + s.name + ": length " + std::to_string(len) + " is not 1..64");
  if (start > 511) return err("SG_ " + s.name + ": start bit " + std::to_string(start) + " out of range");
  if (factor == 0.0) return err("SG_ " + s.name + ": factor must not be 0");
  s.start_bit = static_cast<std::uint16_t>(start);
  s.length = static_cast<std::uint16_t>(len);
  s.order = order == '1' ? ByteOrder::LittleEndian : ByteOrder::BigEndian;
  s.is_signed = sign == '-';
  s.factor = factor;
  s.offset = offset;
  s.minimum = mn;
  s.maximum = mx;
  s.unit = std::move(unit);
  // The signal must fit inside the message's bytes.
  const unsigned bits = msg.dlc * 8u;
  if (s.order == ByteOrder::LittleEndian) {
    if (start + len > bits)
      return err("SG_ " + s.name + ": bits " + std::to_string(start) + ".." + std::to_string(start + len - 1) +
                 " do not fit in the " + std::to_string(msg.dlc) + "-byte message " + msg.name);
  } else {
    // MSB at start; walk down `len` bits in sawtooth order.
    const long msb_linear = static_cast<long>((start / 8) * 8 + (7 - start % 8));
    if (msb_linear + static_cast<long>(len) > static_cast<long>(bits))
      return err("SG_ " + s.name + ": big-endian signal does not fit in the " + std::to_string(msg.dlc) +
                 "-byte message " + msg.name);
  }
  for (const auto& other : msg.signals)
    if (other.name == s.name) return err("duplicate signal name '" + s.name + "' in message " + msg.name);
  msg.signals.push_back(std::move(s));
  return ok();
}

Status Parser::parse_cm() {
  skip_ws();
  if (peek() == '"') {
    LC_TRY(text, quoted("CM_"));
    m_db.comment = std::move(text);
  } else {
    const std::string obj(ident());
    if (obj == "BO_") {
      LC_TRY(id, unsigned_int("the CM_ BO_ message id"));
      Message* m = message(static_cast<std::uint32_t>(id));
      if (m == nullptr) return err("CM_ BO_ names message id " + std::to_string(id) + ", which no BO_ defines");
      LC_TRY(text, quoted("CM_"));
      m->comment = std::move(text);
    } else if (obj == "SG_") {
      LC_TRY(id, unsigned_int("the CM_ SG_ message id"));
      const std::string sig(ident());
      LC_TRY(s, signal(static_cast<std::uint32_t>(id), sig, "CM_ SG_"));
      LC_TRY(text, quoted("CM_"));
      s->comment = std::move(text);
    } else if (obj == "BU_" || obj == "EV_") {
      (void)ident();
      LC_TRY(text, quoted("CM_"));
      (void)text;  // node and env-var comments are not used by the counter
    } else {
      return err("CM_ object must be BU_, BO_, SG_ or EV_, got '" + obj + "'");
    }
  }
  return expect(';', "at the end of CM_");
}

Expected<AttributeValue> Parser::attribute_value() {
  skip_ws();
  AttributeValue v;
  if (peek() == '"') {
    LC_TRY(text, quoted("the attribute value"));
    v.text = std::move(text);
    v.quoted = true;
  } else {
    v.text = std::string(number_text());
    if (v.text.empty()) return err("expected an attribute value");
  }
  return v;
}

Status Parser::parse_ba_def() {
  AttributeDef d;
  skip_ws();
  if (peek() != '"') d.object = std::string(ident());
  LC_TRY(nm, quoted("the BA_DEF_ name"));
  d.name = std::move(nm);
  d.type = std::string(ident());
  if (d.type == "ENUM") {
    do {
      LC_TRY(v, quoted("an ENUM value"));
      d.args.push_back(std::move(v));
    } while (accept(','));
  } else if (d.type == "INT" || d.type == "HEX" || d.type == "FLOAT") {
    skip_ws();
    while (peek() != ';' && !eof()) {
      const std::string_view t = number_text();
      if (t.empty()) return err("malformed BA_DEF_ " + d.name + " range");
      d.args.emplace_back(t);
      skip_ws();
    }
  } else if (d.type != "STRING") {
    return err("BA_DEF_ " + d.name + ": unknown value type '" + d.type + "'");
  }
  m_db.attribute_defs.push_back(std::move(d));
  return expect(';', "at the end of BA_DEF_");
}

Status Parser::parse_ba_def_def() {
  LC_TRY(nm, quoted("the BA_DEF_DEF_ name"));
  LC_TRY(v, attribute_value());
  m_db.attribute_defaults.emplace_back(std::move(nm), std::move(v));
  return expect(';', "at the end of BA_DEF_DEF_");
}

Status Parser::parse_ba() {
  Attribute a;
  LC_TRY(nm, quoted("the BA_ name"));
  a.name = std::move(nm);
  skip_ws();
  if (peek() != '"' && !(peek() >= '0' && peek() <= '9') && peek() != '-') {
    a.object = std::string(ident());
    if (a.object == "BO_" || a.object == "SG_") {
      LC_TRY(id, unsigned_int("the BA_ message id"));
      a.message_id = static_cast<std::uint32_t>(id);
      if (message(a.message_id) == nullptr)
        return err("BA_ \"" + a.name + "\" names message id " + std::to_string(id) + ", which no BO_ defines");
    }
    if (a.object == "SG_" || a.object == "BU_" || a.object == "EV_") a.object_name = std::string(ident());
    if (a.object != "BO_" && a.object != "SG_" && a.object != "BU_" && a.object != "EV_")
      return err("BA_ object must be BU_, BO_, SG_ or EV_, got '" + a.object + "'");
  }
  LC_TRY(v, attribute_value());
  a.value = std::move(v);
  if (a.object == "SG_") {
    LC_TRY(s, signal(a.message_id, a.object_name, "BA_ SG_"));
    if (a.name == "SPN") {
      std::uint32_t spn = 0;
      const auto r = std::from_chars(a.value.text.data(), a.value.text.data() + a.value.text.size(), spn);
      if (r.ec != std::errc() || r.ptr != a.value.text.data() + a.value.text.size() || spn > 524287)
        return err("BA_ \"SPN\" of " + a.object_name + ": '" + a.value.text + "' is not an SPN (0..524287)");
      s->spn = spn;
    }
  }
  m_db.attributes.push_back(std::move(a));
  return expect(';', "at the end of BA_");
}

Status Parser::parse_val() {
  skip_ws();
  if (!(peek() >= '0' && peek() <= '9')) {
    // VAL_ for an environment variable: not used.
    return skip_to_semicolon("VAL_");
  }
  LC_TRY(id, unsigned_int("the VAL_ message id"));
  const std::string sig(ident());
  LC_TRY(s, signal(static_cast<std::uint32_t>(id), sig, "VAL_"));
  s->values.clear();
  while (!accept(';')) {
    if (eof()) return err("VAL_ is missing its terminating ';'");
    LC_TRY(v, signed_int("a VAL_ value"));
    LC_TRY(d, quoted("a VAL_ description"));
    s->values.emplace_back(v, std::move(d));
  }
  return ok();
}

Status Parser::parse_sig_valtype() {
  LC_TRY(id, unsigned_int("the SIG_VALTYPE_ message id"));
  const std::string sig(ident());
  LC_TRY(s, signal(static_cast<std::uint32_t>(id), sig, "SIG_VALTYPE_"));
  LC_TRY_STATUS(expect(':', "in SIG_VALTYPE_"));
  LC_TRY(t, unsigned_int("the SIG_VALTYPE_ type"));
  s->is_float = t == 1 || t == 2;
  return expect(';', "at the end of SIG_VALTYPE_");
}

Expected<Database> Parser::run() {
  static const std::set<std::string_view> kSkipped = {
      "VAL_TABLE_", "BO_TX_BU_", "SIG_GROUP_", "EV_", "ENVVAR_DATA_", "SGTYPE_", "SGTYPE_VAL_", "SIG_TYPE_REF_",
      "SIGTYPE_VALTYPE_", "BA_DEF_SGTYPE_", "BA_SGTYPE_", "CAT_DEF_", "CAT_", "FILTER", "BA_DEF_REL_",
      "BA_REL_", "BA_DEF_DEF_REL_", "BU_SG_REL_", "BU_EV_REL_", "BU_BO_REL_", "SG_MUL_VAL_", "EV_DATA_"};
  if (m_s.starts_with("\xEF\xBB\xBF")) m_pos = 3;  // UTF-8 byte order mark
  while (true) {
    skip_ws();
    if (eof()) break;
    const long stmt_line = m_line;
    const std::string_view kw = ident();
    if (kw.empty()) return err(std::string("unexpected character '") + peek() + "' at the start of a statement");
    Status st = ok();
    if (kw == "VERSION") {
      auto v = quoted("VERSION");
      if (!v) return v.error();
      m_db.version = *v;
    } else if (kw == "NS_") {
      // "NS_ :" followed by indented symbol names: skip the block.
      skip_line();
      while (!eof()) {
        const std::size_t save = m_pos;
        if (m_s[m_pos] == '\n') {
          ++m_pos;
          ++m_line;
          if (!eof() && (m_s[m_pos] == ' ' || m_s[m_pos] == '\t' || m_s[m_pos] == '\r' || m_s[m_pos] == '\n')) {
            skip_line();
            continue;
          }
          break;
        }
        m_pos = save;
        break;
      }
    } else if (kw == "BS_") {
      skip_line();
    } else if (kw == "BU_") {
      st = expect(':', "after BU_");
      while (st && !at_line_end()) {
        const std::string_view n = ident();
        if (n.empty()) return err("malformed node list in BU_");
        m_db.nodes.emplace_back(n);
      }
    } else if (kw == "BO_") {
      st = parse_bo();
    } else if (kw == "SG_") {
      st = parse_sg();
    } else if (kw == "CM_") {
      st = parse_cm();
    } else if (kw == "BA_DEF_") {
      st = parse_ba_def();
    } else if (kw == "BA_DEF_DEF_") {
      st = parse_ba_def_def();
    } else if (kw == "BA_") {
      st = parse_ba();
    } else if (kw == "VAL_") {
      st = parse_val();
    } else if (kw == "SIG_VALTYPE_") {
      st = parse_sig_valtype();
    } else if (kSkipped.count(kw) != 0) {
      st = skip_to_semicolon(std::string(kw));
    } else {
      return err_at(stmt_line, "unknown keyword '" + std::string(kw) + "'");
    }
    if (!st) return st.error();
  }
  return std::move(m_db);
}

std::string fmt_double(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  // Prefer the shortest text that reads back exactly (0.125 rather than 0.125000000000000000).
  for (int prec = 1; prec <= 17; ++prec) {
    char b2[40];
    std::snprintf(b2, sizeof b2, "%.*g", prec, v);
    if (std::strtod(b2, nullptr) == v) return b2;
  }
  return buf;
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string fmt_value(const AttributeValue& v) { return v.quoted ? quote(v.text) : v.text; }

}  // namespace

const Message* Database::find_message(std::uint32_t id) const {
  for (const auto& m : messages)
    if (m.id == id) return &m;
  return nullptr;
}

Expected<Database> parse_dbc(std::string_view text, const std::string& name) { return Parser(text, name).run(); }

Expected<Database> read_dbc_file(const std::string& path) {
  LC_TRY(text, read_file(path));
  return parse_dbc(text, path);
}

std::string print_dbc(const Database& db) {
  std::string o;
  o += "VERSION " + quote(db.version) + "\n\nNS_ :\n    CM_\n    BA_DEF_\n    BA_\n    VAL_\n    BA_DEF_DEF_\n\nBS_:\n\nBU_:";
  for (const auto& n : db.nodes) o += " " + n;
  o += "\n\n";
  for (const auto& m : db.messages) {
    // A message without a transmitter is printed without one (not as Vector__XXX) so it reads back equal.
    o += "BO_ " + std::to_string(m.id) + " " + m.name + ": " + std::to_string(m.dlc) +
         (m.transmitter.empty() ? "" : " " + m.transmitter) + "\n";
    for (const auto& s : m.signals) {
      o += " SG_ " + s.name + " " + (s.mux.empty() ? "" : s.mux + " ") + ": " + std::to_string(s.start_bit) + "|" +
           std::to_string(s.length) + "@" + (s.order == ByteOrder::LittleEndian ? "1" : "0") +
           (s.is_signed ? "-" : "+") + " (" + fmt_double(s.factor) + "," + fmt_double(s.offset) + ") [" +
           fmt_double(s.minimum) + "|" + fmt_double(s.maximum) + "] " + quote(s.unit) + " ";
      for (std::size_t i = 0; i < s.receivers.size(); ++i) o += (i ? "," : "") + s.receivers[i];
      o += "\n";
    }
    o += "\n";
  }
  if (!db.comment.empty()) o += "CM_ " + quote(db.comment) + ";\n";
  for (const auto& m : db.messages) {
    if (!m.comment.empty()) o += "CM_ BO_ " + std::to_string(m.id) + " " + quote(m.comment) + ";\n";
    for (const auto& s : m.signals)
      if (!s.comment.empty())
        o += "CM_ SG_ " + std::to_string(m.id) + " " + s.name + " " + quote(s.comment) + ";\n";
  }
  for (const auto& d : db.attribute_defs) {
    o += "BA_DEF_ " + (d.object.empty() ? "" : d.object + " ") + quote(d.name) + " " + d.type;
    for (std::size_t i = 0; i < d.args.size(); ++i) {
      if (d.type == "ENUM") o += (i ? "," : " ") + quote(d.args[i]);
      else o += " " + d.args[i];
    }
    o += ";\n";
  }
  for (const auto& [nm, v] : db.attribute_defaults) o += "BA_DEF_DEF_ " + quote(nm) + " " + fmt_value(v) + ";\n";
  for (const auto& a : db.attributes) {
    o += "BA_ " + quote(a.name) + " ";
    if (a.object == "BO_") o += "BO_ " + std::to_string(a.message_id) + " ";
    else if (a.object == "SG_") o += "SG_ " + std::to_string(a.message_id) + " " + a.object_name + " ";
    else if (!a.object.empty()) o += a.object + " " + a.object_name + " ";
    o += fmt_value(a.value) + ";\n";
  }
  for (const auto& m : db.messages)
    for (const auto& s : m.signals) {
      if (s.values.empty()) continue;
      o += "VAL_ " + std::to_string(m.id) + " " + s.name;
      for (const auto& [v, d] : s.values) o += " " + std::to_string(v) + " " + quote(d);
      o += " ;\n";
    }
  for (const auto& m : db.messages)
    for (const auto& s : m.signals)
      if (s.is_float) o += "SIG_VALTYPE_ " + std::to_string(m.id) + " " + s.name + " : 2;\n";
  return o;
}

}  // namespace lc::dbc
