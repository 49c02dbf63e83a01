// test/data/config/<case>.yaml -> <case>.diag: the exact diagnostics a user sees.
#include <gtest/gtest.h>

#include "config/loader.h"
#include "unit/config/golden.h"

namespace meshgate::config {
namespace {

class ConfigGoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ConfigGoldenTest, DiagnosticsMatchGolden) {
  std::filesystem::path dir = testing::testDataDir() / "config";
  std::string name = GetParam() + ".yaml";
  LoadResult result = loadString(testing::readFile(dir / name), name);
  testing::expectGolden(dir / (GetParam() + ".diag"), result.diagnostics.format());
}

INSTANTIATE_TEST_SUITE_P(Cases, ConfigGoldenTest,
                         ::testing::ValuesIn(testing::goldenCases(testing::testDataDir() /
                                                                  "config")),
                         [](const auto& test_case) { return test_case.param; });

}  // namespace
}  // namespace meshgate::config
