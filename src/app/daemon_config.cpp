#include "app/daemon_config.h"

#include <map>
#include <set>

#include <toml++/toml.h>

#include "util/file.h"

namespace lc::app {
namespace {

Error key_error(const std::string& name, const toml::node* n, const std::string& key, const std::string& msg) {
  const long line = n != nullptr ? static_cast<long>(n->source().begin.line) : 0;
  if (line > 0) return Error::at(name, line, "key '" + key + "': " + msg);
  return Error::bad_input(name + ": key '" + key + "': " + msg);
}

}  // namespace

Expected<DaemonConfig> parse_daemon_config(const std::string& text, const std::string& name) {
  toml::table t;
  try {
    t = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    return Error::at(name, static_cast<long>(e.source().begin.line), std::string(e.description()));
  }
  static const std::map<std::string, std::set<std::string>> kKnown = {
      {"machine", {"id", "site"}},
      {"can", {"interface", "source_address", "dbc", "bitrate"}},
      {"model", {"dir", "max_lag_windows"}},
      {"shifts", {"boundaries"}},
      {"outbox", {"path", "capacity"}},
      {"mqtt", {"brokers", "username", "password_file", "ca_file", "cert_file", "key_file", "keepalive_s"}},
      {"health", {"interval_s"}},
      {"log", {"level"}}};
  for (const auto& [section, node] : t) {
    const std::string s(section.str());
    const auto known = kKnown.find(s);
    if (known == kKnown.end() || !node.is_table())
      return Error::at(name, static_cast<long>(section.source().begin.line), "unknown section '" + s + "'");
    for (const auto& [key, v] : *node.as_table()) {
      (void)v;
      if (known->second.count(std::string(key.str())) == 0)
        return Error::at(name, static_cast<long>(key.source().begin.line), "unknown key '" + s + "." + std::string(key.str()) + "'");
    }
  }
  DaemonConfig c;
  auto str = [&](const char* key, std::string& out) -> Status {
    const toml::node* n = t.at_path(key).node();
    if (n == nullptr) return ok();
    auto v = n->value<std::string>();
    if (!v) return key_error(name, n, key, "must be a string");
    out = *v;
    return ok();
  };
  auto integer = [&](const char* key, long lo, long hi, auto& out) -> Status {
    const toml::node* n = t.at_path(key).node();
    if (n == nullptr) return ok();
    auto v = n->value<std::int64_t>();
    if (!v || *v < lo || *v > hi)
      return key_error(name, n, key, "must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
    out = static_cast<std::remove_reference_t<decltype(out)>>(*v);
    return ok();
  };
  auto strings = [&](const char* key, std::vector<std::string>& out) -> Status {
    const toml::node* n = t.at_path(key).node();
    if (n == nullptr) return ok();
    const toml::array* a = n->as_array();
    if (a == nullptr) return key_error(name, n, key, "must be an array of strings");
    out.clear();
    for (const auto& e : *a) {
      auto v = e.value<std::string>();
      if (!v) return key_error(name, &e, key, "must be an array of strings");
      out.push_back(*v);
    }
    return ok();
  };
  int sa = 0, bitrate = 250000;
  std::vector<std::string> brokers;
  std::string password_file;
  LC_TRY_STATUS(str("machine.id", c.machine_id));
  LC_TRY_STATUS(str("machine.site", c.site));
  LC_TRY_STATUS(str("can.interface", c.can_interface));
  LC_TRY_STATUS(integer("can.source_address", 0, 253, sa));
  LC_TRY_STATUS(integer("can.bitrate", 10000, 1000000, bitrate));
  LC_TRY_STATUS(str("can.dbc", c.dbc));
  LC_TRY_STATUS(str("model.dir", c.model_dir));
  LC_TRY_STATUS(integer("model.max_lag_windows", 0, 1000, c.max_lag_windows));
  LC_TRY_STATUS(strings("shifts.boundaries", c.shift_boundaries));
  LC_TRY_STATUS(str("outbox.path", c.outbox_path));
  LC_TRY_STATUS(integer("outbox.capacity", 1, 100'000'000, c.outbox_capacity));
  LC_TRY_STATUS(strings("mqtt.brokers", brokers));
  LC_TRY_STATUS(str("mqtt.username", c.mqtt.username));
  LC_TRY_STATUS(str("mqtt.password_file", password_file));
  LC_TRY_STATUS(str("mqtt.ca_file", c.mqtt.tls_ca_file));
  LC_TRY_STATUS(str("mqtt.cert_file", c.mqtt.tls_cert_file));
  LC_TRY_STATUS(str("mqtt.key_file", c.mqtt.tls_key_file));
  LC_TRY_STATUS(integer("mqtt.keepalive_s", 5, 3600, c.mqtt.keepalive_s));
  LC_TRY_STATUS(integer("health.interval_s", 1, 86400, c.health_interval_s));
  LC_TRY_STATUS(str("log.level", c.log_level));
  c.source_address = static_cast<std::uint8_t>(sa);
  if (c.machine_id.empty()) return Error::bad_input(name + ": key 'machine.id' is required");
  for (char ch : c.machine_id)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.'))
      return Error::bad_input(name + ": key 'machine.id': use letters, digits, '-', '_' and '.' only");
  static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error"};
  if (kLevels.count(c.log_level) == 0) return Error::bad_input(name + ": key 'log.level': one of trace, debug, info, warn, error");
  for (const auto& b : brokers) {
    dispatch::BrokerAddress a;
    const std::size_t colon = b.rfind(':');
    a.host = b.substr(0, colon);
    if (colon != std::string::npos) {
      try {
        a.port = std::stoi(b.substr(colon + 1));
      } catch (...) {
        a.port = -1;
      }
    }
    if (a.host.empty() || a.port < 1 || a.port > 65535)
      return Error::bad_input(name + ": key 'mqtt.brokers': '" + b + "' is not HOST:PORT");
    c.mqtt.brokers.push_back(a);
  }
  if (!password_file.empty()) {
    auto pw = read_file(password_file);
    if (!pw) return Error::bad_input(name + ": key 'mqtt.password_file': " + pw.error().message);
    std::string p = *pw;
    while (!p.empty() && (p.back() == '\n' || p.back() == '\r')) p.pop_back();
    c.mqtt.password = p;
  }
  c.mqtt.site = c.site;
  return c;
}

Expected<DaemonConfig> read_daemon_config(const std::string& path) {
  LC_TRY(text, read_file(path));
  return parse_daemon_config(text, path);
}

}  // namespace lc::app
