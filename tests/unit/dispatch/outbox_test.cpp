#include "dispatch/outbox.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

namespace lc::dispatch {
namespace {

namespace fs = std::filesystem;
constexpr std::int64_t kHour = 3600LL * 1'000'000'000LL;
constexpr std::int64_t kDay0 = 1795305600LL * 1'000'000'000LL;  // 2026-11-22T00:00:00Z

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "lc-outbox-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

OutboxOptions options(const fs::path& file, std::size_t capacity = 1000) {
  OutboxOptions o;
  o.path = file.string();
  o.machine_id = "loader7";
  o.capacity = capacity;
  o.calendar = *ShiftCalendar::parse({"06:00", "18:00"});
  return o;
}

count::Event ev(count::EventType t, std::int64_t time_ns) {
  count::Event e;
  e.type = t;
  e.time_ns = time_ns;
  return e;
}

// Raw SQL on the file, as an auditor or a second process would see it.
std::string sql_text(const fs::path& file, const char* sql) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  std::string out = "<error>";
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    out = t ? t : "NULL";
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

TEST(Outbox, SchemaIsWalWithStateAndEventTables) {
  TempDir dir;
  const fs::path file = dir.path / "outbox.db";
  {
    auto box = Outbox::open(options(file));
    ASSERT_TRUE(box) << box.error().message;
    EXPECT_EQ(box->next_sequence(), 1u);
    EXPECT_EQ(box->status().rows, 0u);
    EXPECT_EQ(sql_text(file, "PRAGMA journal_mode"), "wal");
  }
  EXPECT_EQ(sql_text(file, "PRAGMA user_version"), "1");
  EXPECT_EQ(sql_text(file, "SELECT machine_id FROM state"), "loader7");
  EXPECT_EQ(sql_text(file, "SELECT group_concat(name) FROM pragma_table_info('events')"),
            "sequence,event_id,type,time_ns,shift_id,loads,trips,failed_loads,payload,committed_ns,acked_ns");
}

TEST(Outbox, SequenceAndCountersSurviveReopen) {
  TempDir dir;
  const fs::path file = dir.path / "outbox.db";
  const std::int64_t t = kDay0 + 7 * kHour;
  {
    auto box = Outbox::open(options(file));
    ASSERT_TRUE(box) << box.error().message;
    const std::vector<count::Event> evs = {ev(count::EventType::Load, t), ev(count::EventType::Trip, t + 1),
                                           ev(count::EventType::FailedLoad, t + 2)};
    auto rows = box->commit(evs);
    ASSERT_TRUE(rows) << rows.error().message;
    ASSERT_EQ(rows->size(), 3u);
    EXPECT_EQ((*rows)[0].event_id, "loader7-00000001");
    EXPECT_EQ((*rows)[2].event_id, "loader7-00000003");
  }
  auto box = Outbox::open(options(file));
  ASSERT_TRUE(box) << box.error().message;
  EXPECT_EQ(box->next_sequence(), 4u);
  EXPECT_EQ(box->shift().shift_id, "2026-11-22T06:00Z");
  EXPECT_EQ(box->shift().counters, (count::Counters{1, 1, 1}));
  EXPECT_EQ(box->status().unacknowledged, 3u);
  const std::vector<count::Event> more = {ev(count::EventType::Trip, t + 3)};
  auto rows = box->commit(more);
  ASSERT_TRUE(rows);
  EXPECT_EQ((*rows)[0].event_id, "loader7-00000004");
  const auto j = nlohmann::json::parse((*rows)[0].payload);
  EXPECT_EQ(j["event_id"], "loader7-00000004");
  EXPECT_EQ(j["machine_id"], "loader7");
  EXPECT_EQ(j["type"], "trip");
  EXPECT_EQ(j["time"], "2026-11-22T07:00:00.000Z");
  EXPECT_EQ(j["counters"]["trips"], 2);
  EXPECT_EQ(j["counters"]["loads"], 1);
  // pending() returns unacknowledged rows oldest first, from after a sequence, up to a limit.
  auto p = box->pending(2, 1);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->size(), 2u);
  EXPECT_EQ((*p)[0].sequence, 2u);
  EXPECT_EQ((*p)[1].sequence, 3u);
}

TEST(Outbox, ShiftRollsOverAndNeverGoesBack) {
  TempDir dir;
  auto box = Outbox::open(options(dir.path / "o.db"));
  ASSERT_TRUE(box);
  const std::vector<count::Event> night = {ev(count::EventType::Trip, kDay0 + 5 * kHour),
                                           ev(count::EventType::Trip, kDay0 + 6 * kHour - 1)};
  ASSERT_TRUE(box->commit(night));
  EXPECT_EQ(box->shift().shift_id, "2026-11-21T18:00Z");
  EXPECT_EQ(box->shift().counters.trips, 2u);
  const std::vector<count::Event> day = {ev(count::EventType::Trip, kDay0 + 6 * kHour)};
  auto r = box->commit(day);
  ASSERT_TRUE(r);
  EXPECT_EQ(box->shift().shift_id, "2026-11-22T06:00Z");
  EXPECT_EQ(nlohmann::json::parse((*r)[0].payload)["counters"]["trips"], 1);
  // A late event from the previous shift counts in the current one.
  const std::vector<count::Event> late = {ev(count::EventType::Load, kDay0 + 5 * kHour)};
  ASSERT_TRUE(box->commit(late));
  EXPECT_EQ(box->shift().shift_id, "2026-11-22T06:00Z");
  EXPECT_EQ(box->shift().counters, (count::Counters{1, 1, 0}));
  // roll_shift zeroes the counters at the boundary without any event, and persists it.
  auto rolled = box->roll_shift(kDay0 + 17 * kHour);
  ASSERT_TRUE(rolled);
  EXPECT_FALSE(*rolled);
  const auto v = box->counters_version();
  rolled = box->roll_shift(kDay0 + 18 * kHour);
  ASSERT_TRUE(rolled);
  EXPECT_TRUE(*rolled);
  EXPECT_GT(box->counters_version(), v);
  EXPECT_EQ(box->shift().counters, count::Counters{});
}

TEST(Outbox, RollIsPersisted) {
  TempDir dir;
  {
    auto box = Outbox::open(options(dir.path / "o.db"));
    ASSERT_TRUE(box);
    ASSERT_TRUE(box->commit(std::vector<count::Event>{ev(count::EventType::Load, kDay0 + 7 * kHour)}));
    ASSERT_TRUE(box->roll_shift(kDay0 + 19 * kHour));
  }
  auto box = Outbox::open(options(dir.path / "o.db"));
  ASSERT_TRUE(box);
  EXPECT_EQ(box->shift().shift_id, "2026-11-22T18:00Z");
  EXPECT_EQ(box->shift().counters, count::Counters{});
  EXPECT_EQ(box->next_sequence(), 2u);
}

TEST(Outbox, FullOutboxPrunesOnlyAcknowledgedRowsAndNeverLosesUnacknowledged) {
  TempDir dir;
  const fs::path file = dir.path / "o.db";
  auto box = Outbox::open(options(file, 5));
  ASSERT_TRUE(box);
  std::vector<count::Event> evs;
  for (int i = 0; i < 8; ++i) evs.push_back(ev(count::EventType::Trip, kDay0 + 7 * kHour + i));
  ASSERT_TRUE(box->commit(evs));
  // Eight pay records, capacity five: all kept, loudly.
  EXPECT_EQ(box->status().rows, 8u);
  EXPECT_EQ(box->status().unacknowledged, 8u);
  EXPECT_TRUE(box->status().over_capacity);
  for (std::uint64_t s = 1; s <= 4; ++s) ASSERT_TRUE(box->mark_acknowledged(s));
  // Acknowledged rows 1..3 went (oldest first) to bring the outbox back to five; 4 stays for audit.
  auto all = box->all_events();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 5u);
  EXPECT_EQ(all->front().sequence, 4u);
  EXPECT_TRUE(all->front().acknowledged);
  EXPECT_EQ(all->back().sequence, 8u);
  EXPECT_FALSE(all->back().acknowledged);
  EXPECT_EQ(box->status().unacknowledged, 4u);
  EXPECT_FALSE(box->status().over_capacity);
  EXPECT_EQ(box->status().pruned, 3u);
  // Acknowledging twice (a re-send's second PUBACK) or an unknown sequence is harmless.
  ASSERT_TRUE(box->mark_acknowledged(4));
  ASSERT_TRUE(box->mark_acknowledged(999));
  EXPECT_EQ(box->status().unacknowledged, 4u);
  // A new commit prunes the acknowledged row 4 rather than any unacknowledged one.
  ASSERT_TRUE(box->commit(std::vector<count::Event>{ev(count::EventType::Load, kDay0 + 8 * kHour)}));
  all = box->all_events();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 5u);
  EXPECT_EQ(all->front().sequence, 5u);
  for (const auto& row : *all) EXPECT_FALSE(row.acknowledged);
  // The sequence never restarts even when every row is pruned.
  for (std::uint64_t s = 5; s <= 9; ++s) ASSERT_TRUE(box->mark_acknowledged(s));
  ASSERT_TRUE(box->commit(std::vector<count::Event>{ev(count::EventType::Load, kDay0 + 9 * kHour)}));
  EXPECT_EQ(box->next_sequence(), 11u);
  auto reopened = Outbox::open(options(file, 5));
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->status().rows, box->status().rows);
  EXPECT_EQ(reopened->status().unacknowledged, box->status().unacknowledged);
}

TEST(Outbox, BatchAcknowledgementAndAWriterHoldingTheLock) {
  TempDir dir;
  const fs::path file = dir.path / "o.db";
  auto box = Outbox::open(options(file));
  ASSERT_TRUE(box);
  std::vector<count::Event> evs;
  for (int i = 0; i < 6; ++i) evs.push_back(ev(count::EventType::Load, kDay0 + 7 * kHour + i));
  ASSERT_TRUE(box->commit(evs));
  const std::vector<std::uint64_t> burst = {2, 1, 4, 4};
  ASSERT_TRUE(box->mark_acknowledged(burst));
  EXPECT_EQ(box->status().unacknowledged, 3u);
  auto p = box->pending(10);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->size(), 3u);
  EXPECT_EQ((*p)[0].sequence, 3u);
  EXPECT_EQ((*p)[1].sequence, 5u);
  EXPECT_EQ(sql_text(file, "SELECT COUNT(*) FROM events WHERE acked_ns IS NOT NULL"), "3");
  // Another connection (an audit tool) holding the write lock for 200 ms: the outbox waits for it (busy
  // timeout) rather than failing the acknowledgement.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  const std::vector<std::uint64_t> rest = {3, 5, 6};
  auto blocked = std::async(std::launch::async, [&] { return box->mark_acknowledged(rest); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  ASSERT_TRUE(blocked.get()) << "the outbox waits for the lock (busy timeout) instead of failing at once";
  EXPECT_EQ(box->status().unacknowledged, 0u);
}

TEST(Outbox, CheckpointIsWrittenWithItsEventsOrNotAtAll) {
  TempDir dir;
  const fs::path file = dir.path / "o.db";
  auto box = Outbox::open(options(file));
  ASSERT_TRUE(box);
  {
    auto none = box->load_checkpoint();
    ASSERT_TRUE(none);
    EXPECT_FALSE(none->has_value());
  }
  const std::int64_t t = kDay0 + 7 * kHour;
  ASSERT_TRUE(box->commit(std::vector<count::Event>{ev(count::EventType::Load, t)}, R"({"covers": 1})"));
  // Plant a row that the second event of the next commit will collide with: the commit fails half-way.
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "INSERT INTO events VALUES (3, 'x', 'load', 0, '', 0, 0, 0, '{}', 0, 1)", nullptr,
                           nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  const std::vector<count::Event> two = {ev(count::EventType::Trip, t + 1), ev(count::EventType::Trip, t + 2)};
  auto failed = box->commit(two, R"({"covers": 3})");
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message.find(file.string()), std::string::npos) << failed.error().message;
  // Nothing of it is there: not the first event, not the counters, not the checkpoint; memory agrees.
  EXPECT_EQ(box->next_sequence(), 2u);
  EXPECT_EQ(box->shift().counters, (count::Counters{1, 0, 0}));
  EXPECT_EQ(sql_text(file, "SELECT COUNT(*) FROM events WHERE sequence = 2"), "0");
  EXPECT_EQ(sql_text(file, "SELECT next_sequence || ',' || trips FROM state"), "2,0");
  EXPECT_EQ(**box->load_checkpoint(), R"({"covers": 1})");
  // Once the obstacle is gone the same commit goes through whole.
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "DELETE FROM events WHERE sequence = 3", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  auto good = box->commit(two, R"({"covers": 3})");
  ASSERT_TRUE(good) << good.error().message;
  EXPECT_EQ(box->next_sequence(), 4u);
  EXPECT_EQ(sql_text(file, "SELECT next_sequence || ',' || trips FROM state"), "4,2");
  EXPECT_EQ(**box->load_checkpoint(), R"({"covers": 3})");
  // An invalid checkpoint is refused before anything is written.
  auto bad = box->commit(two, "{not json");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::BadInput);
  EXPECT_EQ(box->next_sequence(), 4u);
  EXPECT_FALSE(box->save_checkpoint("]"));
  ASSERT_TRUE(box->save_checkpoint(R"({"covers": 3, "state": "EMPTY"})"));
  EXPECT_EQ(**box->load_checkpoint(), R"({"covers": 3, "state": "EMPTY"})");
}

TEST(Outbox, GarbageFileIsAClearErrorNamingTheFile) {
  TempDir dir;
  const fs::path file = dir.path / "garbage.db";
  {
    std::ofstream f(file, std::ios::binary);
    for (int i = 0; i < 8192; ++i) f.put(static_cast<char>((i * 37) & 0xff));
  }
  auto box = Outbox::open(options(file));
  ASSERT_FALSE(box);
  EXPECT_EQ(box.error().kind, ErrorKind::BadInput);
  EXPECT_NE(box.error().message.find(file.string()), std::string::npos) << box.error().message;
  std::printf("error: %s\n", box.error().message.c_str());
}

TEST(Outbox, DamagedPagesAreAClearErrorNamingTheFile) {
  TempDir dir;
  const fs::path file = dir.path / "damaged.db";
  {
    auto box = Outbox::open(options(file));
    ASSERT_TRUE(box);
    std::vector<count::Event> evs;
    for (int i = 0; i < 200; ++i) evs.push_back(ev(count::EventType::Trip, kDay0 + 7 * kHour + i));
    ASSERT_TRUE(box->commit(evs));
  }
  // Checkpoint the WAL into the main file so the damage below hits real pages.
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr);
    sqlite3_close(db);
  }
  const auto size = fs::file_size(file);
  ASSERT_GT(size, 4u * 4096u);
  {
    std::fstream f(file, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(2 * 4096);  // the third page: a b-tree page of the tables, not the header
    for (int i = 0; i < 4096; ++i) f.put(static_cast<char>(0xA5));
  }
  auto box = Outbox::open(options(file));
  ASSERT_FALSE(box);
  EXPECT_EQ(box.error().kind, ErrorKind::BadInput);
  EXPECT_NE(box.error().message.find(file.string()), std::string::npos) << box.error().message;
  std::printf("error: %s\n", box.error().message.c_str());
}

TEST(Outbox, RefusesAnotherMachinesFileAndBadOptions) {
  TempDir dir;
  const fs::path file = dir.path / "o.db";
  ASSERT_TRUE(Outbox::open(options(file)));
  OutboxOptions other = options(file);
  other.machine_id = "loader8";
  auto box = Outbox::open(other);
  ASSERT_FALSE(box);
  EXPECT_NE(box.error().message.find("loader7"), std::string::npos);
  EXPECT_FALSE(Outbox::open(options(file, 0)));
  auto missing_dir = Outbox::open(options(dir.path / "no" / "such" / "dir.db"));
  ASSERT_FALSE(missing_dir);
  EXPECT_NE(missing_dir.error().message.find("no/such/dir.db"), std::string::npos);
}

TEST(Outbox, MovedOutboxKeepsWorking) {
  TempDir dir;
  auto opened = Outbox::open(options(dir.path / "o.db"));
  ASSERT_TRUE(opened);
  Outbox a = std::move(opened).value();
  Outbox b = std::move(a);
  ASSERT_TRUE(b.commit(std::vector<count::Event>{ev(count::EventType::Load, kDay0)}));
  EXPECT_EQ(b.next_sequence(), 2u);
}

}  // namespace
}  // namespace lc::dispatch
