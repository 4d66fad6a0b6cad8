// write_file_atomic: a plain file is replaced whole (temp file + rename); a pipe or a device is written into and
// stays what it was (`eval --json /dev/null` run as root once renamed a plain file over /dev/null); a directory
// is an error naming it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "util/file.h"

namespace lc {
namespace {

namespace fs = std::filesystem;

class WriteFileAtomic : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("lc_file_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(WriteFileAtomic, ReplacesAPlainFileWholeAndLeavesNoTempFile) {
  const std::string path = (dir_ / "out.json").string();
  std::ofstream(path) << "an older and longer content";
  ASSERT_TRUE(write_file_atomic(path, "{}"));
  auto back = read_file(path);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, "{}");
  EXPECT_FALSE(fs::exists(path + ".tmp"));
}

// The same path as /dev/null's, without a device: were the pipe renamed over, the reader would see no writer
// (EOF, nothing read) and the path would be a plain file. (Not /dev/null itself: a regression would break the
// machine running the test as root.)
TEST_F(WriteFileAtomic, WritesIntoAPipeAndLeavesItAPipe) {
  const std::string path = (dir_ / "fifo").string();
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  // Opened for reading first (non-blocking, so this needs no second thread), so the writer's open returns.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(fd, 0);
  const Status st = write_file_atomic(path, "{\"trips\": 3}");
  ASSERT_TRUE(st) << st.error().message;
  std::string got;
  char buf[64];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  EXPECT_EQ(got, "{\"trips\": 3}");
  struct stat s {};
  ASSERT_EQ(::stat(path.c_str(), &s), 0);
  EXPECT_TRUE(S_ISFIFO(s.st_mode)) << "the pipe was replaced by a plain file";
  EXPECT_FALSE(fs::exists(path + ".tmp"));
}

TEST_F(WriteFileAtomic, ADirectoryIsAnErrorNamingIt) {
  const Status st = write_file_atomic(dir_.string(), "{}");
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find(dir_.string()), std::string::npos) << st.error().message;
  EXPECT_TRUE(fs::is_directory(dir_));
}

}  // namespace
}  // namespace lc
