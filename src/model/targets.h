// Labels -> what each window should have been classified as (training and evaluation).
//
// A window [start, end] is labelled with the path of states it passes through, where the END IS INCLUSIVE:
// a change exactly at `end` belongs to this window (it is its last change) and the next window starts in the
// new state. That keeps consecutive window classes consistent (the next class starts where this one ends)
// even when a change falls exactly on a window boundary. The position bucket of a window with changes is
// that of its first change: bucket = floor(u * buckets) with u = (t_change - start) / (end - start) in (0, 1]
// (u = 1 goes to the last bucket).
#pragma once

#include <cstdint>
#include <vector>

#include "window/labels.h"
#include "window/states.h"

namespace lc::model {

struct WindowTarget {
  enum class Kind : std::uint8_t { Ok, Unlabelled, Disallowed, TooManyChanges };
  Kind kind = Kind::Unlabelled;
  WindowClass cls;                     // valid when kind == Ok
  std::vector<double> change_times_s;  // absolute times of the changes inside the window
  int position = -1;                   // bucket of the first change; -1 without a change
};

WindowTarget window_target(const std::vector<LabelInterval>& labels, std::int64_t start_ns, std::int64_t end_ns,
                           int position_buckets, int max_changes);

// Bucket of a change at time t in [start, end].
int position_bucket(double t_s, double start_s, double end_s, int position_buckets);
// The time the middle of a bucket stands for (event timestamps).
double bucket_time_s(int bucket, double start_s, double end_s, int position_buckets);

}  // namespace lc::model
