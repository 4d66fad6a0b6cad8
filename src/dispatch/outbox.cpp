// The only file that includes <sqlite3.h> (STYLE.md principle 6).
#include "dispatch/outbox.h"

#include <sqlite3.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <utility>

#include "count/event_json.h"

namespace lc::dispatch {
namespace {

constexpr int kSchemaVersion = 1;

struct DbClose {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
// The one owner of the connection: move-only, closed exactly once.
using DbHandle = std::unique_ptr<sqlite3, DbClose>;
using StmtHandle = std::unique_ptr<sqlite3_stmt, StmtFinalize>;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Error db_error(const std::string& path, sqlite3* db, const std::string& what) {
  const int code = db ? sqlite3_errcode(db) : SQLITE_ERROR;
  const std::string msg = path + ": " + what + ": " + (db ? sqlite3_errmsg(db) : "out of memory");
  // A file that is not a database or is damaged is bad input (the operator replaces it); the rest is the OS.
  if (code == SQLITE_NOTADB) return Error::bad_input(path + ": not an SQLite outbox (" + sqlite3_errmsg(db) + ")");
  if (code == SQLITE_CORRUPT) return Error::bad_input(msg);
  return Error::internal(msg);
}

}  // namespace

struct Outbox::Impl {
  // Declared first so it is destroyed last, after every statement is finalized.
  DbHandle db;
  std::string path;
  std::string machine_id;
  std::uint64_t capacity = 0;
  ShiftCalendar calendar;

  std::uint64_t next_sequence = 1;
  ShiftState shift;
  std::uint64_t rows = 0, unacked = 0, pruned = 0;
  std::uint64_t counters_version = 0;

  StmtHandle st_insert, st_update_state, st_checkpoint, st_ack, st_prune, st_pending;

  Error err(const std::string& what) const { return db_error(path, db.get(), what); }

  Status exec(const char* sql) {
    if (sqlite3_exec(db.get(), sql, nullptr, nullptr, nullptr) != SQLITE_OK)
      return err(std::string("executing \"") + sql + "\"");
    return ok();
  }

  Expected<StmtHandle> prepare(const char* sql) const {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v3(db.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK) {
      sqlite3_finalize(s);
      return err(std::string("preparing \"") + sql + "\"");
    }
    return StmtHandle(s);
  }

  // Runs a statement that returns no rows (or ignores them), then resets it.
  Status step_done(sqlite3_stmt* s, const char* what) {
    const int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return err(what);
    return ok();
  }

  void bind_text(sqlite3_stmt* s, int i, std::string_view v) {
    sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }

  Status write_state(const ShiftState& sh, std::uint64_t next_seq) {
    sqlite3_stmt* s = st_update_state.get();
    sqlite3_bind_int64(s, 1, static_cast<sqlite3_int64>(next_seq));
    bind_text(s, 2, sh.shift_id);
    sqlite3_bind_int64(s, 3, sh.shift_start_ns);
    sqlite3_bind_int64(s, 4, static_cast<sqlite3_int64>(sh.counters.loads));
    sqlite3_bind_int64(s, 5, static_cast<sqlite3_int64>(sh.counters.trips));
    sqlite3_bind_int64(s, 6, static_cast<sqlite3_int64>(sh.counters.failed_loads));
    return step_done(s, "writing state");
  }

  Status write_checkpoint(std::string_view json) {
    sqlite3_stmt* s = st_checkpoint.get();
    bind_text(s, 1, json);
    return step_done(s, "writing checkpoint");
  }

  // Deletes the oldest acknowledged rows while there are more than `capacity` rows. Returns rows deleted.
  Expected<std::uint64_t> prune_sql(std::uint64_t row_count) {
    if (row_count <= capacity) return std::uint64_t{0};
    sqlite3_stmt* s = st_prune.get();
    sqlite3_bind_int64(s, 1, static_cast<sqlite3_int64>(row_count - capacity));
    LC_TRY_STATUS(step_done(s, "pruning acknowledged events"));
    return static_cast<std::uint64_t>(sqlite3_changes(db.get()));
  }

  bool valid_json(std::string_view j) const { return nlohmann::json::accept(j); }

  // Runs `body` inside BEGIN IMMEDIATE .. COMMIT; rolls back on any error.
  template <class F>
  Status transaction(F&& body) {
    LC_TRY_STATUS(exec("BEGIN IMMEDIATE"));
    Status s = body();
    if (s) s = exec("COMMIT");
    if (!s) {
      // ROLLBACK fails only if SQLite already rolled back (e.g. SQLITE_FULL); the data is consistent either way.
      sqlite3_exec(db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
      return s.error();
    }
    return ok();
  }
};

Outbox::Outbox(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Outbox::Outbox(Outbox&&) noexcept = default;
Outbox& Outbox::operator=(Outbox&&) noexcept = default;
Outbox::~Outbox() = default;

Expected<Outbox> Outbox::open(const OutboxOptions& options) {
  if (options.capacity == 0) return Error::bad_input(options.path + ": outbox capacity must be at least 1 event");
  if (options.machine_id.empty()) return Error::bad_input(options.path + ": machine id is empty");
  auto impl = std::make_unique<Impl>();
  impl->path = options.path;
  impl->machine_id = options.machine_id;
  impl->capacity = options.capacity;
  impl->calendar = options.calendar;

  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(options.path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  impl->db.reset(raw);  // owned from here on, even when open failed half-way
  if (rc != SQLITE_OK) return impl->err("cannot open outbox");
  sqlite3_extended_result_codes(impl->db.get(), 0);
  sqlite3_busy_timeout(impl->db.get(), 5000);

  // The first read of the header is what tells a database from garbage.
  LC_TRY_STATUS(impl->exec("PRAGMA journal_mode=WAL"));
  // FULL: with NORMAL a power cut can undo the last commits after their events were already published;
  // the sequence numbers would then be reused for different events, and a consumer de-duplicating by
  // event_id would drop real trips. One fsync per commit is cheap at a few events per minute.
  LC_TRY_STATUS(impl->exec("PRAGMA synchronous=FULL"));
  {
    // quick_check is O(file size) and catches damaged pages that the header check cannot.
    LC_TRY(check, impl->prepare("PRAGMA quick_check(3)"));
    std::string report;
    int r;
    while ((r = sqlite3_step(check.get())) == SQLITE_ROW) {
      const auto* txt = reinterpret_cast<const char*>(sqlite3_column_text(check.get(), 0));
      if (!report.empty()) report += "; ";
      report += txt ? txt : "?";
    }
    if (r != SQLITE_DONE) return impl->err("checking integrity");
    if (report != "ok") return Error::bad_input(options.path + ": outbox is corrupt: " + report);
  }
  int version = 0;
  {
    LC_TRY(v, impl->prepare("PRAGMA user_version"));
    if (sqlite3_step(v.get()) != SQLITE_ROW) return impl->err("reading schema version");
    version = sqlite3_column_int(v.get(), 0);
  }
  if (version > kSchemaVersion)
    return Error::bad_input(options.path + ": outbox schema version " + std::to_string(version) +
                            " is newer than this program's (" + std::to_string(kSchemaVersion) + ")");
  if (version == 0) {
    if (Status tx = impl->transaction([&]() -> Status {
          LC_TRY_STATUS(
              impl->exec("CREATE TABLE state("
                         " id INTEGER PRIMARY KEY CHECK (id = 1),"
                         " machine_id TEXT NOT NULL,"
                         " next_sequence INTEGER NOT NULL CHECK (next_sequence >= 1),"
                         " shift_id TEXT NOT NULL,"
                         " shift_start_ns INTEGER NOT NULL,"
                         " loads INTEGER NOT NULL, trips INTEGER NOT NULL, failed_loads INTEGER NOT NULL,"
                         " checkpoint TEXT);"
                         "CREATE TABLE events("
                         " sequence INTEGER PRIMARY KEY,"
                         " event_id TEXT NOT NULL UNIQUE,"
                         " type TEXT NOT NULL,"
                         " time_ns INTEGER NOT NULL,"
                         " shift_id TEXT NOT NULL,"
                         " loads INTEGER NOT NULL, trips INTEGER NOT NULL, failed_loads INTEGER NOT NULL,"
                         " payload TEXT NOT NULL,"
                         " committed_ns INTEGER NOT NULL,"
                         " acked_ns INTEGER);"
                         "CREATE INDEX events_unacked ON events(sequence) WHERE acked_ns IS NULL;"
                         "CREATE INDEX events_acked ON events(sequence) WHERE acked_ns IS NOT NULL;"));
          LC_TRY(ins, impl->prepare("INSERT INTO state VALUES (1, ?, 1, '', 0, 0, 0, 0, NULL)"));
          impl->bind_text(ins.get(), 1, impl->machine_id);
          LC_TRY_STATUS(impl->step_done(ins.get(), "creating state"));
          return impl->exec("PRAGMA user_version = 1");
        });
        !tx)
      return tx.error();
  }

  {
    LC_TRY(st, impl->prepare("SELECT machine_id, next_sequence, shift_id, shift_start_ns, loads, trips, failed_loads "
                             "FROM state WHERE id = 1"));
    if (sqlite3_step(st.get()) != SQLITE_ROW) return Error::bad_input(options.path + ": outbox has no state row");
    const auto* mid = reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 0));
    if (!mid || impl->machine_id != mid)
      return Error::bad_input(options.path + ": outbox belongs to machine \"" + (mid ? mid : "") + "\", not \"" +
                              impl->machine_id + "\"");
    impl->next_sequence = static_cast<std::uint64_t>(sqlite3_column_int64(st.get(), 1));
    const auto* sid = reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 2));
    impl->shift.shift_id = sid ? sid : "";
    impl->shift.shift_start_ns = sqlite3_column_int64(st.get(), 3);
    impl->shift.counters.loads = static_cast<std::uint64_t>(sqlite3_column_int64(st.get(), 4));
    impl->shift.counters.trips = static_cast<std::uint64_t>(sqlite3_column_int64(st.get(), 5));
    impl->shift.counters.failed_loads = static_cast<std::uint64_t>(sqlite3_column_int64(st.get(), 6));
  }
  {
    LC_TRY(st, impl->prepare("SELECT COUNT(*), COALESCE(SUM(acked_ns IS NULL), 0) FROM events"));
    if (sqlite3_step(st.get()) != SQLITE_ROW) return impl->err("counting events");
    impl->rows = static_cast<std::uint64_t>(sqlite3_column_int64(st.get(), 0));
    impl->unacked = static_cast<std::uint64_t>(sqlite3_column_int64(st.get(), 1));
  }

  LC_TRY(ins, impl->prepare("INSERT INTO events (sequence, event_id, type, time_ns, shift_id, loads, trips, "
                            "failed_loads, payload, committed_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  LC_TRY(upd, impl->prepare("UPDATE state SET next_sequence = ?, shift_id = ?, shift_start_ns = ?, loads = ?, "
                            "trips = ?, failed_loads = ? WHERE id = 1"));
  LC_TRY(cp, impl->prepare("UPDATE state SET checkpoint = ? WHERE id = 1"));
  LC_TRY(ack, impl->prepare("UPDATE events SET acked_ns = ? WHERE sequence = ? AND acked_ns IS NULL"));
  LC_TRY(prune, impl->prepare("DELETE FROM events WHERE sequence IN (SELECT sequence FROM events "
                              "WHERE acked_ns IS NOT NULL ORDER BY sequence LIMIT ?)"));
  LC_TRY(pend, impl->prepare("SELECT sequence, event_id, payload FROM events WHERE acked_ns IS NULL AND "
                             "sequence > ? ORDER BY sequence LIMIT ?"));
  impl->st_insert = std::move(ins);
  impl->st_update_state = std::move(upd);
  impl->st_checkpoint = std::move(cp);
  impl->st_ack = std::move(ack);
  impl->st_prune = std::move(prune);
  impl->st_pending = std::move(pend);
  return Outbox(std::move(impl));
}

Expected<std::vector<StoredEvent>> Outbox::commit(std::span<const count::Event> events,
                                                  std::optional<std::string_view> checkpoint_json) {
  Impl& m = *m_impl;
  if (checkpoint_json && !m.valid_json(*checkpoint_json))
    return Error::bad_input(m.path + ": checkpoint is not valid JSON");
  // Work on copies; the members change only after COMMIT succeeded.
  ShiftState shift = m.shift;
  std::uint64_t seq = m.next_sequence;
  std::uint64_t rows = m.rows;
  std::uint64_t pruned = 0;
  std::vector<StoredEvent> out;
  out.reserve(events.size());
  const std::int64_t committed = now_ns();
  if (Status tx = m.transaction([&]() -> Status {
        for (const count::Event& e : events) {
          const std::int64_t start = m.calendar.shift_start_ns(e.time_ns);
          if (shift.shift_id.empty() || start > shift.shift_start_ns) {
            shift.shift_id = m.calendar.shift_id(e.time_ns);
            shift.shift_start_ns = start;
            shift.counters = {};
          }
          shift.counters.add(e.type);
          StoredEvent row;
          row.sequence = seq++;
          row.event_id = count::event_id(m.machine_id, row.sequence);
          row.payload = count::event_json(e, m.machine_id, row.sequence, shift.counters).dump();
          sqlite3_stmt* s = m.st_insert.get();
          sqlite3_bind_int64(s, 1, static_cast<sqlite3_int64>(row.sequence));
          m.bind_text(s, 2, row.event_id);
          m.bind_text(s, 3, count::event_type_name(e.type));
          sqlite3_bind_int64(s, 4, e.time_ns);
          m.bind_text(s, 5, shift.shift_id);
          sqlite3_bind_int64(s, 6, static_cast<sqlite3_int64>(shift.counters.loads));
          sqlite3_bind_int64(s, 7, static_cast<sqlite3_int64>(shift.counters.trips));
          sqlite3_bind_int64(s, 8, static_cast<sqlite3_int64>(shift.counters.failed_loads));
          m.bind_text(s, 9, row.payload);
          sqlite3_bind_int64(s, 10, committed);
          LC_TRY_STATUS(m.step_done(s, "inserting event"));
          out.push_back(std::move(row));
          ++rows;
        }
        LC_TRY_STATUS(m.write_state(shift, seq));
        if (checkpoint_json) LC_TRY_STATUS(m.write_checkpoint(*checkpoint_json));
        LC_TRY(n, m.prune_sql(rows));
        pruned = n;
        return ok();
      });
      !tx)
    return tx.error();
  if (!(shift == m.shift)) ++m.counters_version;
  m.shift = std::move(shift);
  m.next_sequence = seq;
  m.rows = rows - pruned;
  m.unacked += out.size();
  m.pruned += pruned;
  return out;
}

Expected<bool> Outbox::roll_shift(std::int64_t now) {
  Impl& m = *m_impl;
  const std::int64_t start = m.calendar.shift_start_ns(now);
  if (!m.shift.shift_id.empty() && start <= m.shift.shift_start_ns) return false;
  ShiftState shift;
  shift.shift_id = m.calendar.shift_id(now);
  shift.shift_start_ns = start;
  LC_TRY_STATUS(m.transaction([&]() -> Status { return m.write_state(shift, m.next_sequence); }));
  m.shift = std::move(shift);
  ++m.counters_version;
  return true;
}

Status Outbox::save_checkpoint(std::string_view json) {
  Impl& m = *m_impl;
  if (!m.valid_json(json)) return Error::bad_input(m.path + ": checkpoint is not valid JSON");
  return m.transaction([&]() -> Status { return m.write_checkpoint(json); });
}

Expected<std::optional<std::string>> Outbox::load_checkpoint() const {
  Impl& m = *m_impl;
  LC_TRY(st, m.prepare("SELECT checkpoint FROM state WHERE id = 1"));
  if (sqlite3_step(st.get()) != SQLITE_ROW) return m.err("reading checkpoint");
  if (sqlite3_column_type(st.get(), 0) == SQLITE_NULL) return std::optional<std::string>{};
  const auto* txt = reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 0));
  const int n = sqlite3_column_bytes(st.get(), 0);
  return std::optional<std::string>(std::string(txt, static_cast<std::size_t>(n)));
}

Expected<std::vector<StoredEvent>> Outbox::pending(std::size_t limit, std::uint64_t after_sequence) const {
  Impl& m = *m_impl;
  std::vector<StoredEvent> out;
  sqlite3_stmt* s = m.st_pending.get();
  sqlite3_bind_int64(s, 1, static_cast<sqlite3_int64>(after_sequence));
  sqlite3_bind_int64(s, 2, static_cast<sqlite3_int64>(limit));
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    StoredEvent e;
    e.sequence = static_cast<std::uint64_t>(sqlite3_column_int64(s, 0));
    e.event_id = reinterpret_cast<const char*>(sqlite3_column_text(s, 1));
    e.payload = std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 2)),
                            static_cast<std::size_t>(sqlite3_column_bytes(s, 2)));
    out.push_back(std::move(e));
  }
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  if (rc != SQLITE_DONE) return m.err("reading pending events");
  return out;
}

Status Outbox::mark_acknowledged(std::uint64_t sequence) {
  return mark_acknowledged(std::span<const std::uint64_t>(&sequence, 1));
}

Status Outbox::mark_acknowledged(std::span<const std::uint64_t> sequences) {
  Impl& m = *m_impl;
  if (sequences.empty()) return ok();
  std::uint64_t changed = 0, pruned = 0;
  const std::int64_t acked = now_ns();
  if (Status tx = m.transaction([&]() -> Status {
        for (const std::uint64_t seq : sequences) {
          sqlite3_stmt* s = m.st_ack.get();
          sqlite3_bind_int64(s, 1, acked);
          sqlite3_bind_int64(s, 2, static_cast<sqlite3_int64>(seq));
          LC_TRY_STATUS(m.step_done(s, "acknowledging event"));
          changed += static_cast<std::uint64_t>(sqlite3_changes(m.db.get()));
        }
        LC_TRY(n, m.prune_sql(m.rows));
        pruned = n;
        return ok();
      });
      !tx)
    return tx.error();
  m.unacked -= changed;
  m.rows -= pruned;
  m.pruned += pruned;
  return ok();
}

Expected<std::vector<StoredEvent>> Outbox::all_events() const {
  Impl& m = *m_impl;
  LC_TRY(st, m.prepare("SELECT sequence, event_id, payload, acked_ns IS NOT NULL FROM events ORDER BY sequence"));
  std::vector<StoredEvent> out;
  int rc;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
    StoredEvent e;
    e.sequence = static_cast<std::uint64_t>(sqlite3_column_int64(st.get(), 0));
    e.event_id = reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 1));
    e.payload = std::string(reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 2)),
                            static_cast<std::size_t>(sqlite3_column_bytes(st.get(), 2)));
    e.acknowledged = sqlite3_column_int(st.get(), 3) != 0;
    out.push_back(std::move(e));
  }
  if (rc != SQLITE_DONE) return m.err("reading events");
  return out;
}

std::uint64_t Outbox::next_sequence() const { return m_impl->next_sequence; }
const ShiftState& Outbox::shift() const { return m_impl->shift; }
const std::string& Outbox::machine_id() const { return m_impl->machine_id; }
const std::string& Outbox::path() const { return m_impl->path; }
std::uint64_t Outbox::counters_version() const { return m_impl->counters_version; }

OutboxStatus Outbox::status() const {
  const Impl& m = *m_impl;
  OutboxStatus s;
  s.rows = m.rows;
  s.unacknowledged = m.unacked;
  s.capacity = m.capacity;
  s.over_capacity = m.unacked > m.capacity;
  s.pruned = m.pruned;
  return s;
}

}  // namespace lc::dispatch
