// The durable outbox: every committed event is written here, with the machine state needed to resume, BEFORE
// anything is published (README.md in this folder has the rules; ARCHITECTURE.md "File formats" the event).
//
// One SQLite file (WAL, synchronous=FULL) holds:
//   state   one row: machine id, next sequence number, current shift (id, start, loads/trips/failed_loads)
//           and the daemon's opaque checkpoint (JSON text for the decoder/counter state);
//   events  one row per event: sequence, event_id (machine id + "-" + 8-digit sequence), type, time, shift id,
//           the counters after it, the exact JSON payload that is published, and when it was acknowledged.
// A commit() writes its events, the new sequence, the shift counters and (optionally) the checkpoint in ONE
// transaction, so after a crash either all of it is there or none of it is: events never exist without the
// counters that include them, nor counters without their events.
//
// Capacity (events): when a commit or an acknowledgement leaves more rows than `capacity`, the oldest
// acknowledged rows are deleted (they are kept only for audit). Unacknowledged rows are pay records and are
// never deleted: if they alone exceed the capacity the outbox keeps growing and status().over_capacity is set
// (the daemon reports it in its health message).
//
// The Outbox is move-only and single-threaded: call it from one thread (the daemon's main loop, which also
// drives the Publisher).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "count/events.h"
#include "dispatch/shift_calendar.h"
#include "util/expected.h"

namespace lc::dispatch {

struct OutboxOptions {
  std::string path;                // the SQLite file; created if missing
  std::string machine_id;          // must match the one stored in an existing file
  std::size_t capacity = 100'000;  // events kept (see the header comment for what happens when full)
  ShiftCalendar calendar;
};

// The current shift and its totals, as persisted.
struct ShiftState {
  std::string shift_id;  // ShiftCalendar::shift_id(); "" before the first event or roll
  std::int64_t shift_start_ns = 0;
  count::Counters counters;  // totals of this shift
  bool operator==(const ShiftState&) const = default;
};

// One row of the outbox.
struct StoredEvent {
  std::uint64_t sequence = 0;  // 1, 2, 3, ... for the machine's whole life
  std::string event_id;
  std::string payload;  // the contract's event JSON, byte-identical on every re-send
  bool acknowledged = false;
};

struct OutboxStatus {
  std::uint64_t rows = 0;            // events stored (acknowledged or not)
  std::uint64_t unacknowledged = 0;  // events still to be delivered (the "depth")
  std::uint64_t capacity = 0;
  bool over_capacity = false;  // unacknowledged rows alone exceed the capacity: nothing is dropped
  std::uint64_t pruned = 0;    // acknowledged rows deleted since open
};

class Outbox {
 public:
  // Opens or creates the outbox. Errors name the file: cannot open/create (Internal), not a database or
  // corrupt (BadInput), schema from a newer version (BadInput), different machine id (BadInput),
  // capacity 0 or an empty/invalid machine id (BadInput).
  static Expected<Outbox> open(const OutboxOptions& options);

  Outbox(Outbox&&) noexcept;
  Outbox& operator=(Outbox&&) noexcept;
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;
  ~Outbox();

  // Records `events` in order, one transaction: each gets the next sequence and the shift totals after it
  // (the shift rolls over first if the event's time is in a later shift than the current one; an event
  // older than the current shift counts in the current shift: counters never go backwards). When
  // `checkpoint_json` is given it is stored in the same transaction. Returns the rows written.
  // On error (disk full, I/O error, invalid checkpoint JSON -> BadInput) nothing is written and the
  // in-memory state is unchanged.
  Expected<std::vector<StoredEvent>> commit(std::span<const count::Event> events,
                                            std::optional<std::string_view> checkpoint_json = std::nullopt);

  // Rolls the shift over if `now_ns` is in a later shift (counters start at zero). Returns true when it
  // rolled. Lets the daemon publish zeroed counters at 06:00 even when no event happens.
  Expected<bool> roll_shift(std::int64_t now_ns);

  // The daemon's checkpoint on its own (no events). BadInput when `json` is not valid JSON.
  Status save_checkpoint(std::string_view json);
  // The last stored checkpoint, or nullopt if none was ever saved.
  Expected<std::optional<std::string>> load_checkpoint() const;

  // Unacknowledged rows with sequence > `after_sequence`, oldest first, at most `limit`.
  Expected<std::vector<StoredEvent>> pending(std::size_t limit, std::uint64_t after_sequence = 0) const;
  // Marks a row delivered (the broker's PUBACK), then prunes if over capacity. Unknown or already
  // acknowledged sequences are not an error (a re-send's second PUBACK).
  Status mark_acknowledged(std::uint64_t sequence);
  // The same for several rows in one transaction (one fsync for a burst of PUBACKs). On error none is marked.
  Status mark_acknowledged(std::span<const std::uint64_t> sequences);

  // All rows, oldest first (tests and audit tools).
  Expected<std::vector<StoredEvent>> all_events() const;

  std::uint64_t next_sequence() const;
  const ShiftState& shift() const;
  OutboxStatus status() const;
  const std::string& machine_id() const;
  const std::string& path() const;
  // Bumped by every change to the shift counters (commit or roll): the publisher re-sends `counters` then.
  std::uint64_t counters_version() const;

 private:
  struct Impl;
  explicit Outbox(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace lc::dispatch
