// loadercountd's configuration file (TOML). Every key but machine.id is optional; firmware/loadercountd.toml is
// the shipped default with every key and its meaning. A wrong type, an unknown section or key, or a bad value
// is an Error naming the file, the key (and line where toml++ knows it): exit 2.
//
//   [machine]  id = "loader-07"   site = "north-pit"
//   [can]      interface = "can0"   source_address = 0   dbc = ""            (dbc: "" = built-in)
//   [model]    dir = "/usr/share/loadercount/models/default"   max_lag_windows = 24
//   [shifts]   boundaries = ["06:00", "18:00"]                               (UTC)
//   [outbox]   path = "/var/lib/loadercount/outbox.db"   capacity = 100000
//   [mqtt]     brokers = ["dispatch.local:1883", "10.1.2.3:1883"]   (tried in order; empty: outbox only)
//              username = ""   password_file = ""   ca_file = ""   cert_file = ""   key_file = ""
//              keepalive_s = 30
//   [health]   interval_s = 60
//   [log]      level = "info"   (trace, debug, info, warn, error)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "decode/online.h"
#include "dispatch/publisher.h"
#include "util/expected.h"

namespace lc::app {

struct DaemonConfig {
  std::string machine_id;
  std::string site = "site";
  std::string can_interface = "can0";
  std::uint8_t source_address = 0;
  std::string dbc;  // "" = built-in
  std::string model_dir = "/usr/share/loadercount/models/default";
  int max_lag_windows = decode::kDefaultMaxLagWindows;
  std::vector<std::string> shift_boundaries;
  std::string outbox_path = "/var/lib/loadercount/outbox.db";
  std::size_t outbox_capacity = 100'000;
  dispatch::PublisherOptions mqtt;
  int health_interval_s = 60;
  std::string log_level = "info";
};

Expected<DaemonConfig> read_daemon_config(const std::string& path);
Expected<DaemonConfig> parse_daemon_config(const std::string& text, const std::string& name);

}  // namespace lc::app
