// Reads a file in fixed-size blocks, in order, for read_candump_file's line parser; another thread with
// nothing better to do may read the next blocks ahead of it.
//
// Why: replaying an hour of log (55 MB from the page cache) spends ~10 ms of its ~40 ms reading thread in the
// kernel, copying the file into the buffer, while replay's scoring thread waits for windows about half the
// time once it has caught up (BENCHMARKS.md, session 8). The scoring thread reads ahead while it waits. A helper
// thread of its own was tried first: on two cores it competed with the scoring thread, and the reader ended up
// reading half the blocks itself, for no gain.
//
// How blocks move. Block i is the file's bytes [i*B, (i+1)*B) and lives in ring slot i % slots. Whoever claims
// block i first reads it: read_ahead() on another thread, or next() on the reading thread when nobody has yet,
// so the reader never waits for a thread that is busy elsewhere, only for a block being read at that moment.
// A slot is reused once the reader has moved past its block.
//
// Each slot has head room before its block, into which next() copies the unfinished line at the end of the
// previous block, so that the reader always sees a line whole; and slack after it, zero-filled and never
// written, so that a parser may read a fixed window past any line start (candump_parse.h's kFastWindow).
//
// The first block shorter than B (possibly empty) ends the file: a log that grows while it is read is read to
// where it ended at that moment, without a gap. Pipes and other non-seekable files are read by next() alone.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "util/expected.h"
#include "util/page_block.h"

namespace lc::can {

class BlockReader {
 public:
  struct Layout {
    std::size_t block = 0;  // B: bytes per block (> 0)
    std::size_t head = 0;   // head room before each block: the most next() may carry over
    std::size_t slack = 0;  // readable zero bytes after each block
    std::size_t slots = 2;  // blocks in memory (>= 2): the reader's and up to slots - 1 read ahead
  };
  struct Block {
    const char* data = nullptr;  // the carried bytes, then the block's
    std::size_t size = 0;        // carried + read
    bool last = false;           // shorter than B: the file ends here
  };

  // Opens `path`. Error (BadInput) names it when it cannot be opened.
  static Expected<std::unique_ptr<BlockReader>> open(const std::string& path, const Layout& layout);
  ~BlockReader();
  BlockReader(const BlockReader&) = delete;
  BlockReader& operator=(const BlockReader&) = delete;

  // The reading thread: the next block, preceded by the last `carry` bytes of the current one (carry <=
  // layout.head; 0 for the first block). The current block is given up. After a block with `last` set, or an
  // error, there is no next one. Error (BadInput) naming the file when the kernel reports a read error.
  Expected<Block> next(std::size_t carry);

  // Any other thread: reads the first block nobody has claimed, if a slot is free for it. False when there is
  // nothing to do: the ring is full, the end of the file was reached, or the file is not seekable.
  bool read_ahead() noexcept;

  const std::string& path() const noexcept { return m_path; }
  const Layout& layout() const noexcept { return m_layout; }
  // The file's size when it was opened (0 when it has none, as a pipe).
  std::uint64_t file_size() const noexcept { return m_file_size; }

 private:
  struct Slot {
    // Index + 1 of the block this slot holds once it is readable; 0 before its first block.
    std::atomic<std::uint64_t> ready{0};
    std::int64_t bytes = 0;  // what the read gave, or -errno; written before `ready`
  };

  BlockReader(std::string path, int fd, const Layout& layout, bool seekable, std::uint64_t size);
  char* slot_data(std::uint64_t block) const noexcept;  // the block's first byte in its slot
  void fill(std::uint64_t block) noexcept;                // reads block into its slot and publishes it

  const std::string m_path;
  const int m_fd;
  const Layout m_layout;
  const bool m_seekable;
  const std::uint64_t m_file_size;
  PageBlock m_memory;
  std::unique_ptr<Slot[]> m_slot;

  std::atomic<std::uint64_t> m_claimed{0};       // blocks [0, m_claimed) are being or have been read
  std::atomic<std::uint64_t> m_end{UINT64_MAX};  // 1 + index of the first short block, once read
  std::atomic<std::uint64_t> m_released{0};      // blocks [0, m_released) are given up by the reader
  std::uint64_t m_next = 0;                      // the block next() gives (reading thread only)
};

}  // namespace lc::can
