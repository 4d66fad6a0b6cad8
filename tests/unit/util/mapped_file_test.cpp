// MappedFile: the mapped bytes are the file's bytes (as read_file gives them), an empty file maps to nothing,
// what cannot be mapped is read instead, and what cannot be read is an error naming the path.
#include "util/mapped_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include "util/file.h"
#include "util/fingerprint.h"

namespace lc {
namespace {

namespace fs = std::filesystem;

class MappedFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("lc_mapped_file_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& content) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  fs::path dir_;
};

TEST_F(MappedFileTest, BytesAreTheFilesBytes) {
  // Larger than a page and not a multiple of one, with NUL bytes: the view ends where the file does.
  std::string content;
  for (int i = 0; i < 10'007; ++i) content.push_back(static_cast<char>(i * 31 % 256));
  const std::string path = write("model.json", content);
  auto mapped = MappedFile::open(path);
  ASSERT_TRUE(mapped) << mapped.error().message;
  EXPECT_TRUE(mapped->mapped());
  EXPECT_EQ(mapped->bytes().size(), content.size());
  EXPECT_EQ(mapped->bytes(), content);
  auto read = read_file(path);
  ASSERT_TRUE(read);
  EXPECT_EQ(fingerprint64(mapped->bytes()), fingerprint64(*read));
}

TEST_F(MappedFileTest, MovedFromObjectGivesUpTheMapping) {
  const std::string path = write("a", "abc");
  auto mapped = MappedFile::open(path);
  ASSERT_TRUE(mapped);
  MappedFile owner = std::move(*mapped);
  EXPECT_EQ(owner.bytes(), "abc");
  EXPECT_TRUE(mapped->bytes().empty());
  auto other = MappedFile::open(write("b", "xyz"));
  ASSERT_TRUE(other);
  owner = std::move(*other);
  EXPECT_EQ(owner.bytes(), "xyz");
}

TEST_F(MappedFileTest, EmptyFileIsAnEmptyView) {
  auto mapped = MappedFile::open(write("empty", ""));
  ASSERT_TRUE(mapped);
  EXPECT_TRUE(mapped->bytes().empty());
}

TEST_F(MappedFileTest, WhatCannotBeMappedIsReadInstead) {
  // /proc files claim size 0 and have bytes: mapping 0 bytes would lose them, so they are read (a pipe takes
  // the same path; it is not used here because opening one blocks until a writer comes, which hangs under
  // qemu-user). Whether it was mapped is not asserted: qemu-user serves /proc/self/cmdline from a file of its
  // own, with a size. The bytes stay valid after a move.
  const std::string path = "/proc/self/cmdline";
  auto got = MappedFile::open(path);
  ASSERT_TRUE(got) << got.error().message;
  auto read = read_file(path);
  ASSERT_TRUE(read);
  ASSERT_FALSE(read->empty());
  MappedFile moved = std::move(*got);
  EXPECT_EQ(moved.bytes(), *read);
  EXPECT_TRUE(got->bytes().empty());
}

TEST_F(MappedFileTest, MissingFileOrDirectoryIsAnErrorNamingThePath) {
  const std::string missing = (dir_ / "no_such_model.json").string();
  auto a = MappedFile::open(missing);
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().message.find(missing), std::string::npos) << a.error().message;
  EXPECT_NE(a.error().message.find("cannot open"), std::string::npos) << a.error().message;
  auto b = MappedFile::open(dir_.string());
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().message.find(dir_.string()), std::string::npos) << b.error().message;
  EXPECT_NE(b.error().message.find("is a directory"), std::string::npos) << b.error().message;
}

}  // namespace
}  // namespace lc
