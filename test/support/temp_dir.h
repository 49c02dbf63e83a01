#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace meshgate::testing {

// A directory made with mkdtemp under $TMPDIR (or /tmp), removed with its contents on destruction
// unless MESHGATE_KEEP_TEST_DIRS is set. Owned by one test.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Writes `contents` to path()/name (creating subdirectories) and returns the full path.
  std::filesystem::path write(std::string_view name, std::string_view contents) const;

 private:
  std::filesystem::path path_;
};

}  // namespace meshgate::testing
