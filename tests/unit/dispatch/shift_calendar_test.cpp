#include "dispatch/shift_calendar.h"

#include <gtest/gtest.h>

namespace lc::dispatch {
namespace {

constexpr std::int64_t kMin = 60'000'000'000LL;
constexpr std::int64_t kDay = 1440 * kMin;
// 2026-11-22T00:00:00Z
constexpr std::int64_t kDay0 = 1795305600LL * 1'000'000'000LL;

TEST(ShiftCalendar, TwoShiftsRollAtTheirBoundaries) {
  auto cal = ShiftCalendar::parse({"18:00", "06:00"});  // any order
  ASSERT_TRUE(cal) << cal.error().message;
  EXPECT_EQ(cal->shift_id(kDay0 + 6 * 60 * kMin), "2026-11-22T06:00Z");
  EXPECT_EQ(cal->shift_id(kDay0 + 6 * 60 * kMin - 1), "2026-11-21T18:00Z");  // 1 ns before 06:00
  EXPECT_EQ(cal->shift_id(kDay0 + 17 * 60 * kMin + 59 * kMin), "2026-11-22T06:00Z");
  EXPECT_EQ(cal->shift_id(kDay0 + 18 * 60 * kMin), "2026-11-22T18:00Z");
  EXPECT_EQ(cal->shift_id(kDay0 + kDay + 5 * 60 * kMin), "2026-11-22T18:00Z");  // night shift crosses midnight
  EXPECT_EQ(cal->shift_start_ns(kDay0 + 3 * kMin), kDay0 - 6 * 60 * kMin);
  EXPECT_EQ(cal->next_boundary_ns(kDay0 + 3 * kMin), kDay0 + 6 * 60 * kMin);
  EXPECT_EQ(cal->next_boundary_ns(kDay0 + 6 * 60 * kMin), kDay0 + 18 * 60 * kMin);
  EXPECT_EQ(cal->next_boundary_ns(kDay0 + 20 * 60 * kMin), kDay0 + kDay + 6 * 60 * kMin);
}

TEST(ShiftCalendar, DefaultAndEmptyListAreOneShiftPerDay) {
  ShiftCalendar def;
  auto empty = ShiftCalendar::parse({});
  ASSERT_TRUE(empty);
  for (const ShiftCalendar* c : {&def, &*empty}) {
    EXPECT_EQ(c->shift_id(kDay0 + 23 * 60 * kMin), "2026-11-22T00:00Z");
    EXPECT_EQ(c->shift_id(kDay0 - 1), "2026-11-21T00:00Z");
  }
}

TEST(ShiftCalendar, TimesBeforeTheEpochUseFloorDivision) {
  auto cal = ShiftCalendar::parse({"06:00"});
  ASSERT_TRUE(cal);
  EXPECT_EQ(cal->shift_id(-1), "1969-12-31T06:00Z");
  EXPECT_EQ(cal->shift_id(0), "1969-12-31T06:00Z");
  EXPECT_EQ(cal->shift_id(6 * 60 * kMin), "1970-01-01T06:00Z");
}

TEST(ShiftCalendar, EveryMinuteOfADayBelongsToTheLatestBoundary) {
  auto cal = ShiftCalendar::parse({"00:30", "07:15", "23:59"});
  ASSERT_TRUE(cal);
  for (std::int64_t m = 0; m < 1440; ++m) {
    const std::int64_t t = kDay0 + m * kMin + 1;
    std::int64_t want;
    if (m < 30)
      want = kDay0 - kDay + 1439 * kMin;
    else if (m < 435)
      want = kDay0 + 30 * kMin;
    else if (m < 1439)
      want = kDay0 + 435 * kMin;
    else
      want = kDay0 + 1439 * kMin;
    ASSERT_EQ(cal->shift_start_ns(t), want) << "minute " << m;
    ASSERT_GT(cal->next_boundary_ns(t), t);
  }
}

TEST(ShiftCalendar, BadBoundariesNameTheEntry) {
  for (const char* bad : {"6:00", "24:00", "12:60", "ab:cd", "12-00", "", "12:000"}) {
    auto cal = ShiftCalendar::parse({"06:00", bad});
    ASSERT_FALSE(cal) << bad;
    EXPECT_EQ(cal.error().kind, ErrorKind::BadInput);
    EXPECT_NE(cal.error().message.find("shift boundary 2"), std::string::npos) << cal.error().message;
  }
  auto dup = ShiftCalendar::parse({"06:00", "18:00", "06:00"});
  ASSERT_FALSE(dup);
  EXPECT_NE(dup.error().message.find("duplicate"), std::string::npos);
}

}  // namespace
}  // namespace lc::dispatch
