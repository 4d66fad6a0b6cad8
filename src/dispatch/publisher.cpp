// The only file that includes <mosquitto.h> (STYLE.md principle 6).
#include "dispatch/publisher.h"

#include <mosquitto.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

namespace lc::dispatch {
namespace {

using Clock = std::chrono::steady_clock;

struct MosqDestroy {
  void operator()(mosquitto* m) const { mosquitto_destroy(m); }
};
// One owner per connection attempt; destroyed (never reused) when the attempt fails or the link drops.
using MosqHandle = std::unique_ptr<mosquitto, MosqDestroy>;

void lib_init_once() {
  static std::once_flag once;
  // Never cleaned up: the library's global state lives as long as the process (it only holds TLS/socket init).
  std::call_once(once, [] { mosquitto_lib_init(); });
}

bool valid_topic_level(const std::string& s) {
  return !s.empty() && s.find_first_of("/+#") == std::string::npos && s.find('\0') == std::string::npos;
}

std::int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

struct Publisher::Impl {
  enum class Link { Idle, Connecting, Connected };

  PublisherOptions opt;
  Outbox* outbox = nullptr;
  std::string prefix;  // "loadercount/<site>/<machine>/"
  std::string t_events, t_counters, t_health, t_status;

  MosqHandle mosq;
  Link link = Link::Idle;
  int broker = 0;         // index of the broker being tried or used
  int failed_passes = 0;  // full passes over the broker list that all failed, for the back-off
  Clock::time_point next_attempt{};
  Clock::time_point connect_deadline{};
  bool link_lost = false;  // set by callbacks; acted upon after mosquitto_loop() returns

  std::unordered_map<int, std::uint64_t> in_flight;  // message id -> outbox sequence
  std::vector<std::uint64_t> acked;                  // PUBACKed sequences not yet written to the outbox
  std::uint64_t last_sent = 0;                       // highest sequence sent on this connection
  std::uint64_t counters_sent_version = ~std::uint64_t{0};
  int shutdown_mid = -1;  // the "offline" message of shutdown()
  bool shutdown_acked = false;
  std::optional<Error> deferred;  // an outbox error inside a callback, returned by poll()
  PublisherStats stats;

  // ---- callbacks (run inside mosquitto_loop on the caller's thread) ----
  static void on_connect(mosquitto*, void* obj, int rc) {
    auto* self = static_cast<Impl*>(obj);
    if (rc != 0) {
      self->stats.last_error = std::string("broker refused connection: ") + mosquitto_connack_string(rc);
      self->link_lost = true;
      return;
    }
    self->link = Link::Connected;
    self->failed_passes = 0;
    ++self->stats.connections;
    self->stats.broker_index = self->broker;
    self->counters_sent_version = ~std::uint64_t{0};
    self->publish_raw(self->t_status, "online", true, nullptr);
  }
  static void on_disconnect(mosquitto*, void* obj, int rc) {
    auto* self = static_cast<Impl*>(obj);
    // Keep the CONNACK reason of a refused attempt; the disconnect that follows it says less.
    if (rc != 0 && !self->link_lost) self->stats.last_error = std::string("connection lost: ") + mosquitto_strerror(rc);
    self->link_lost = true;
  }
  static void on_publish(mosquitto*, void* obj, int mid) {
    auto* self = static_cast<Impl*>(obj);
    if (mid == self->shutdown_mid) self->shutdown_acked = true;
    auto it = self->in_flight.find(mid);
    if (it == self->in_flight.end()) return;  // status/counters/health, not an outbox row
    // Recorded after mosquitto_loop() returns, all PUBACKs of one loop pass in one transaction.
    self->acked.push_back(it->second);
    self->in_flight.erase(it);
  }

  // Writes the PUBACKs collected by on_publish to the outbox. If the daemon dies before this, the rows are
  // simply sent again (at-least-once).
  void flush_acks() {
    if (acked.empty()) return;
    Status s = outbox->mark_acknowledged(acked);
    if (!s) {
      if (!deferred) deferred = s.error();
    } else {
      stats.events_acknowledged += acked.size();
    }
    acked.clear();
  }

  // Returns false when libmosquitto refused (no connection, out of memory).
  bool publish_raw(const std::string& topic, const std::string& payload, bool retain, int* mid) {
    const int rc =
        mosquitto_publish(mosq.get(), mid, topic.c_str(), static_cast<int>(payload.size()), payload.data(), 1, retain);
    if (rc != MOSQ_ERR_SUCCESS) {
      stats.last_error = std::string("publish failed: ") + mosquitto_strerror(rc);
      return false;
    }
    return true;
  }

  void start_attempt(Clock::time_point now) {
    const BrokerAddress& b = opt.brokers[static_cast<std::size_t>(broker)];
    ++stats.connect_attempts;
    link_lost = false;
    in_flight.clear();
    last_sent = 0;
    // A fresh instance per attempt: nothing is left in libmosquitto's own queue, the outbox is the only
    // source of what is re-sent. clean_session=false keeps the broker-side session of the stable client id.
    mosq.reset(mosquitto_new(opt.client_id.c_str(), false, this));
    if (!mosq) {
      stats.last_error = "mosquitto_new failed (out of memory or invalid client id)";
      attempt_failed(now);
      return;
    }
    mosquitto_connect_callback_set(mosq.get(), &Impl::on_connect);
    mosquitto_disconnect_callback_set(mosq.get(), &Impl::on_disconnect);
    mosquitto_publish_callback_set(mosq.get(), &Impl::on_publish);
    int rc = mosquitto_will_set(mosq.get(), t_status.c_str(), 7, "offline", 1, true);
    if (rc == MOSQ_ERR_SUCCESS && !opt.username.empty())
      rc = mosquitto_username_pw_set(mosq.get(), opt.username.c_str(),
                                     opt.password.empty() ? nullptr : opt.password.c_str());
    if (rc == MOSQ_ERR_SUCCESS && !opt.tls_ca_file.empty())
      rc = mosquitto_tls_set(mosq.get(), opt.tls_ca_file.c_str(), nullptr,
                             opt.tls_cert_file.empty() ? nullptr : opt.tls_cert_file.c_str(),
                             opt.tls_key_file.empty() ? nullptr : opt.tls_key_file.c_str(), nullptr);
    if (rc == MOSQ_ERR_SUCCESS) rc = mosquitto_connect_async(mosq.get(), b.host.c_str(), b.port, opt.keepalive_s);
    if (rc != MOSQ_ERR_SUCCESS) {
      stats.last_error = b.host + ":" + std::to_string(b.port) + ": " +
                         (rc == MOSQ_ERR_ERRNO ? std::string(std::strerror(errno)) : mosquitto_strerror(rc));
      attempt_failed(now);
      return;
    }
    link = Link::Connecting;
    connect_deadline = now + std::chrono::milliseconds(opt.connect_timeout_ms);
  }

  // The connection attempt or the connection itself ended. Decides which broker is next and when.
  void attempt_failed(Clock::time_point now) {
    const bool was_connected = link == Link::Connected;
    mosq.reset();
    link = Link::Idle;
    in_flight.clear();
    last_sent = 0;
    ++stats.disconnects;
    stats.broker_index = -1;
    if (was_connected) {
      // A working link dropped: start again from the primary after the shortest wait.
      broker = 0;
      next_attempt = now + std::chrono::milliseconds(opt.backoff_min_ms);
      return;
    }
    ++broker;
    if (broker < static_cast<int>(opt.brokers.size())) {
      next_attempt = now;  // the next fallback at once
      return;
    }
    broker = 0;
    ++failed_passes;
    const int shift = std::min(failed_passes - 1, 20);
    const std::int64_t wait =
        std::min<std::int64_t>(static_cast<std::int64_t>(opt.backoff_min_ms) << shift, opt.backoff_max_ms);
    next_attempt = now + std::chrono::milliseconds(wait);
  }

  Status send_pending() {
    if (in_flight.size() >= opt.max_in_flight) return ok();
    LC_TRY(rows, outbox->pending(opt.max_in_flight - in_flight.size(), last_sent));
    for (const StoredEvent& row : rows) {
      int mid = 0;
      if (!publish_raw(t_events, row.payload, false, &mid)) {
        link_lost = true;
        break;
      }
      in_flight[mid] = row.sequence;
      last_sent = row.sequence;
      ++stats.events_sent;
    }
    if (outbox->counters_version() != counters_sent_version) {
      const std::string body = counters_json(outbox->machine_id(), outbox->shift(), outbox->next_sequence()).dump();
      if (publish_raw(t_counters, body, true, nullptr)) counters_sent_version = outbox->counters_version();
    }
    return ok();
  }
};

Publisher::Publisher(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Publisher::~Publisher() = default;

Expected<std::unique_ptr<Publisher>> Publisher::create(const PublisherOptions& options, Outbox& outbox) {
  auto impl = std::make_unique<Impl>();
  impl->opt = options;
  impl->outbox = &outbox;
  PublisherOptions& o = impl->opt;
  if (!o.brokers.empty() && !valid_topic_level(o.site))
    return Error::bad_input("mqtt.site \"" + o.site + "\": must be non-empty without '/', '+' or '#'");
  if (!o.brokers.empty() && !valid_topic_level(outbox.machine_id()))
    return Error::bad_input("machine id \"" + outbox.machine_id() + "\": must not contain '/', '+' or '#'");
  for (std::size_t i = 0; i < o.brokers.size(); ++i) {
    const std::string where = "mqtt.brokers[" + std::to_string(i) + "]: ";
    if (o.brokers[i].host.empty()) return Error::bad_input(where + "host is empty");
    if (o.brokers[i].port < 1 || o.brokers[i].port > 65535)
      return Error::bad_input(where + "port " + std::to_string(o.brokers[i].port) + " is not in 1..65535");
  }
  for (const auto& [field, file] : {std::pair<const char*, const std::string*>{"mqtt.tls_ca_file", &o.tls_ca_file},
                                    {"mqtt.tls_cert_file", &o.tls_cert_file},
                                    {"mqtt.tls_key_file", &o.tls_key_file}}) {
    std::error_code ec;
    if (!file->empty() && !std::filesystem::is_regular_file(*file, ec))
      return Error::bad_input(std::string(field) + " \"" + *file + "\": no such file");
  }
  if (o.tls_ca_file.empty() && (!o.tls_cert_file.empty() || !o.tls_key_file.empty()))
    return Error::bad_input("mqtt.tls_cert_file/tls_key_file need mqtt.tls_ca_file");
  if (o.tls_cert_file.empty() != o.tls_key_file.empty())
    return Error::bad_input("mqtt.tls_cert_file and mqtt.tls_key_file must be given together");
  if (o.max_in_flight == 0) return Error::bad_input("mqtt.max_in_flight must be at least 1");
  if (o.backoff_min_ms < 0 || o.backoff_max_ms < o.backoff_min_ms)
    return Error::bad_input("mqtt back-off: need 0 <= backoff_min_ms <= backoff_max_ms");
  if (o.client_id.empty()) o.client_id = "loadercount-" + outbox.machine_id();
  impl->prefix = "loadercount/" + o.site + "/" + outbox.machine_id() + "/";
  impl->t_events = impl->prefix + "events";
  impl->t_counters = impl->prefix + "counters";
  impl->t_health = impl->prefix + "health";
  impl->t_status = impl->prefix + "status";
  if (!o.brokers.empty()) lib_init_once();
  return std::unique_ptr<Publisher>(new Publisher(std::move(impl)));
}

Status Publisher::poll(int timeout_ms) {
  Impl& m = *m_impl;
  if (m.opt.brokers.empty()) return ok();
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(std::max(timeout_ms, 0));
  bool first = true;
  for (;;) {
    Clock::time_point now = Clock::now();
    if (!first && now >= deadline) break;
    first = false;
    if (m.link == Impl::Link::Idle) {
      if (now < m.next_attempt) {
        std::this_thread::sleep_until(std::min(deadline, m.next_attempt));
        continue;
      }
      m.start_attempt(now);
      if (m.link == Impl::Link::Idle) continue;
    }
    if (m.link == Impl::Link::Connected) {
      Status s = m.send_pending();
      if (!s) return s;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    // Short slices while connecting, so the CONNACK timeout is noticed.
    const int slice = static_cast<int>(std::clamp<std::int64_t>(left, 0, m.link == Impl::Link::Connecting ? 50 : 1000));
    const int rc = mosquitto_loop(m.mosq.get(), slice, 1);
    now = Clock::now();
    if (rc != MOSQ_ERR_SUCCESS && !m.link_lost) {
      m.stats.last_error = std::string("network: ") +
                           (rc == MOSQ_ERR_ERRNO ? std::string(std::strerror(errno)) : mosquitto_strerror(rc));
      m.link_lost = true;
    }
    if (!m.link_lost && m.link == Impl::Link::Connecting && now >= m.connect_deadline) {
      m.stats.last_error = "no CONNACK within " + std::to_string(m.opt.connect_timeout_ms) + " ms";
      m.link_lost = true;
    }
    m.flush_acks();
    if (m.link_lost) m.attempt_failed(now);
    if (m.deferred) {
      Error e = *m.deferred;
      m.deferred.reset();
      return e;
    }
  }
  return ok();
}

bool Publisher::publish_health(const HealthReport& report) {
  Impl& m = *m_impl;
  if (m.link != Impl::Link::Connected) return false;
  const std::string body = health_json(report, m.outbox->machine_id(), m.outbox->status(), true, wall_ns()).dump();
  return m.publish_raw(m.t_health, body, true, nullptr);
}

void Publisher::shutdown(int timeout_ms) {
  Impl& m = *m_impl;
  if (m.link != Impl::Link::Connected) {
    m.mosq.reset();
    m.link = Impl::Link::Idle;
    return;
  }
  m.shutdown_mid = -1;
  m.shutdown_acked = false;
  m.publish_raw(m.t_status, "offline", true, &m.shutdown_mid);
  // Wait for the events in flight and the "offline" message; acknowledgements still update the outbox.
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(std::max(timeout_ms, 0));
  while (Clock::now() < deadline && !m.link_lost && (!m.shutdown_acked || !m.in_flight.empty())) {
    const int rc = mosquitto_loop(m.mosq.get(), 50, 1);
    m.flush_acks();
    if (rc != MOSQ_ERR_SUCCESS) break;
  }
  mosquitto_disconnect(m.mosq.get());
  m.mosq.reset();
  m.link = Impl::Link::Idle;
  m.in_flight.clear();
  m.stats.broker_index = -1;
}

bool Publisher::connected() const { return m_impl->link == Impl::Link::Connected; }
bool Publisher::enabled() const { return !m_impl->opt.brokers.empty(); }
const PublisherStats& Publisher::stats() const { return m_impl->stats; }
std::string Publisher::topic(const std::string& leaf) const { return m_impl->prefix + leaf; }

}  // namespace lc::dispatch
