// MQTT publishing of the outbox (libmosquitto behind publisher.cpp, the only file that includes it).
//
// Topics, for site S and machine M:
//   loadercount/S/M/events    one event JSON per message (the outbox payload), QoS 1, not retained
//   loadercount/S/M/counters  shift totals (health.h), QoS 1, retained, re-sent when they change
//   loadercount/S/M/health    health.h, QoS 1, retained, whenever the daemon calls publish_health()
//   loadercount/S/M/status    "online" on connect; "offline" as the last will and on shutdown(); retained
//
// Delivery: an event is marked acknowledged in the outbox only in the PUBACK callback for its message id.
// Every (re)connection starts from a fresh libmosquitto instance with nothing in flight, and the publisher
// re-sends every unacknowledged row from the outbox, oldest first: at-least-once. A message whose PUBACK was
// lost is sent again, so consumers de-duplicate by event_id (README.md).
//
// Threading: none of its own. The daemon's main loop calls poll(), which runs mosquitto_loop() and all
// callbacks on the caller's thread; the Outbox is used from the same thread. Neither is thread-safe.
// The daemon must ignore SIGPIPE (over TLS a vanished broker raises it on write; README.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dispatch/health.h"
#include "dispatch/outbox.h"
#include "util/expected.h"

namespace lc::dispatch {

struct BrokerAddress {
  std::string host;
  int port = 1883;
};

struct PublisherOptions {
  std::vector<BrokerAddress> brokers;  // tried in order (primary first); empty: outbox only, poll() is a no-op
  std::string site;                    // topic level; no '/', '+', '#'
  std::string client_id;               // default "loadercount-" + machine id (stable: the broker's session key)
  std::string username, password;      // used when username is not empty
  std::string tls_ca_file;             // TLS when set; with tls_cert_file/tls_key_file for a client certificate
  std::string tls_cert_file, tls_key_file;
  int keepalive_s = 30;
  int connect_timeout_ms = 10'000;  // CONNACK must arrive within this, else the next broker is tried
  int backoff_min_ms = 1'000;       // wait after a failed pass over all brokers; doubles up to max
  int backoff_max_ms = 60'000;
  std::size_t max_in_flight = 64;  // unacknowledged event messages at a time
};

struct PublisherStats {
  std::uint64_t connect_attempts = 0;
  std::uint64_t connections = 0;  // successful (CONNACK accepted)
  std::uint64_t disconnects = 0;  // lost or failed connections
  std::uint64_t events_sent = 0;  // PUBLISH calls for events, re-sends included
  std::uint64_t events_acknowledged = 0;
  int broker_index = -1;   // broker of the current connection, -1 when not connected
  std::string last_error;  // the latest connection or library error, for logs
};

class Publisher {
 public:
  // Checks the options (BadInput naming the field: bad site/machine for a topic, empty host, port range,
  // missing TLS file) and prepares the topics. Does not connect: poll() does. `outbox` must outlive it.
  static Expected<std::unique_ptr<Publisher>> create(const PublisherOptions& options, Outbox& outbox);
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // Call it at least every keepalive_s / 2 seconds: the keep-alive pings are sent from here.
  // Connects/reconnects when due, sends pending events and changed counters, and processes network traffic
  // and PUBACKs for at most `timeout_ms` (returns earlier when there is nothing to wait for; immediately
  // with no brokers). Network failures are not errors (they are retried); an Error means the outbox failed
  // to record an acknowledgement or to read pending rows.
  Status poll(int timeout_ms);

  // Publishes the health message now if connected (returns false when it could not be sent).
  bool publish_health(const HealthReport& report);

  // Publishes "offline", waits up to `timeout_ms` for outstanding PUBACKs, then disconnects cleanly.
  void shutdown(int timeout_ms);

  bool connected() const;
  bool enabled() const;  // brokers configured
  const PublisherStats& stats() const;
  std::string topic(const std::string& leaf) const;  // "loadercount/<site>/<machine>/<leaf>"

 private:
  struct Impl;
  explicit Publisher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace lc::dispatch
