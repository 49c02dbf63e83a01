#include "server/config_watcher.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "unit/io/run_until.h"

namespace meshgate::server {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

void writeFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

// Writes a temp file and renames it over `path`, as editors and deploy tools do.
void renameOver(const fs::path& path, const std::string& text) {
  fs::path temp = path.parent_path() / (".tmp-" + path.filename().string());
  writeFile(temp, text);
  fs::rename(temp, path);
}

class ConfigWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "watcher-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  void watch(std::vector<fs::path> paths) {
    watcher_ = std::make_unique<ConfigWatcher>(loop_, std::move(paths), options_, [this] {
      ++changes_;
      return settled_;
    });
    ASSERT_TRUE(watcher_->active());
  }
  bool waitChanges(int count) {
    return test::runUntil(loop_, [&] { return changes_ >= count; });
  }

  fs::path dir_;
  io::EventLoop loop_;
  ConfigWatcher::Options options_{milliseconds(20), milliseconds(200)};
  std::unique_ptr<ConfigWatcher> watcher_;
  int changes_ = 0;
  bool settled_ = true;
};

TEST_F(ConfigWatcherTest, WriteToAWatchedFileIsReported) {
  fs::path file = dir_ / "mesh.yaml";
  writeFile(file, "a: 1\n");
  watch({file});
  writeFile(file, "a: 2\n");
  EXPECT_TRUE(waitChanges(1));
}

TEST_F(ConfigWatcherTest, EveryRenameOverAWatchedFileIsReported) {
  fs::path file = dir_ / "mesh.yaml";
  writeFile(file, "a: 1\n");
  watch({file});
  renameOver(file, "a: 2\n");
  ASSERT_TRUE(waitChanges(1));
  // The second write replaces the inode the first one created.
  renameOver(file, "a: 3\n");
  EXPECT_TRUE(waitChanges(2));
}

TEST_F(ConfigWatcherTest, OtherFilesNextToAWatchedFileAreIgnored) {
  fs::path file = dir_ / "mesh.yaml";
  writeFile(file, "a: 1\n");
  watch({file});
  writeFile(dir_ / "unrelated.yaml", "b: 1\n");
  test::runFor(loop_, milliseconds(100));
  EXPECT_EQ(changes_, 0);
  writeFile(file, "a: 2\n");
  EXPECT_TRUE(waitChanges(1));
}

TEST_F(ConfigWatcherTest, FilesCreatedLaterInAWatchedDirectoryAreReported) {
  watch({dir_});
  writeFile(dir_ / "new.yaml", "a: 1\n");
  ASSERT_TRUE(waitChanges(1));
  // So are files in a subdirectory created after the watch began.
  fs::create_directory(dir_ / "sub");
  ASSERT_TRUE(waitChanges(2));
  writeFile(dir_ / "sub" / "deeper.yaml", "a: 1\n");
  EXPECT_TRUE(waitChanges(3));
}

// A log file kept next to the config must not cause reloads (each reload logs: a loop).
TEST_F(ConfigWatcherTest, NonYamlFilesInAWatchedDirectoryAreIgnored) {
  watch({dir_});
  writeFile(dir_ / "gateway.log", "reloaded\n");
  writeFile(dir_ / ".mesh.yaml.swp", "vim");
  test::runFor(loop_, milliseconds(100));
  EXPECT_EQ(changes_, 0);
  writeFile(dir_ / "mesh.yml", "a: 1\n");
  EXPECT_TRUE(waitChanges(1));
}

TEST_F(ConfigWatcherTest, ABurstOfWritesIsReportedOnce) {
  fs::path file = dir_ / "mesh.yaml";
  writeFile(file, "a: 1\n");
  watch({file});
  {
    std::ofstream out(file, std::ios::trunc);
    for (int i = 0; i < 50; ++i) out << "k" << i << ": " << i << "\n" << std::flush;
  }
  ASSERT_TRUE(waitChanges(1));
  test::runFor(loop_, milliseconds(100));
  EXPECT_EQ(changes_, 1);
}

TEST_F(ConfigWatcherTest, AnUnsettledChangeIsOfferedAgain) {
  fs::path file = dir_ / "mesh.yaml";
  writeFile(file, "a: 1\n");
  watch({file});
  settled_ = false;
  writeFile(file, "a: 2\n");
  ASSERT_TRUE(waitChanges(1));
  settled_ = true;
  EXPECT_TRUE(waitChanges(2));
}

TEST(FilesStampTest, ChangesWhenAFileChanges) {
  std::string pattern = (fs::temp_directory_path() / "stamp-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  fs::path dir = pattern;
  writeFile(dir / "a.yaml", "a: 1\n");
  writeFile(dir / "notes.txt", "x");
  std::string before = filesStamp({dir});
  EXPECT_EQ(filesStamp({dir}), before);
  writeFile(dir / "notes.txt", "not yaml: not part of the config");
  EXPECT_EQ(filesStamp({dir}), before);
  writeFile(dir / "a.yaml", "a: 22\n");
  EXPECT_NE(filesStamp({dir}), before);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace meshgate::server
