#pragma once

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

// Golden-file helpers shared by the config and translate golden tests. With
// MESHGATE_UPDATE_GOLDENS=1 in the environment, expectations are rewritten instead of compared
// (review the diff like code).
namespace meshgate::testing {

inline std::filesystem::path testDataDir() { return MESHGATE_TEST_DATA_DIR; }

inline std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The case names (file stems) of every *.yaml in `dir`, sorted.
inline std::vector<std::string> goldenCases(const std::filesystem::path& dir) {
  std::vector<std::string> cases;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".yaml") cases.push_back(entry.path().stem().string());
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

inline void expectGolden(const std::filesystem::path& expected_path, const std::string& actual) {
  const char* update = std::getenv("MESHGATE_UPDATE_GOLDENS");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(expected_path, std::ios::binary) << actual;
    return;
  }
  ASSERT_TRUE(std::filesystem::exists(expected_path))
      << expected_path << " is missing; run with MESHGATE_UPDATE_GOLDENS=1 and review it";
  EXPECT_EQ(readFile(expected_path), actual) << "golden " << expected_path;
}

}  // namespace meshgate::testing
