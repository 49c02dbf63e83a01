// test/data/translate/<case>.yaml -> <case>.ir.json (the IR) and <case>.diag (every diagnostic
// of loading and translating it).
#include <gtest/gtest.h>

#include "config/loader.h"
#include "ir/ir_json.h"
#include "translate/translate.h"
#include "unit/config/golden.h"

namespace meshgate::translate {
namespace {

class TranslateGoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(TranslateGoldenTest, IrAndDiagnosticsMatchGolden) {
  std::filesystem::path dir = testing::testDataDir() / "translate";
  std::string name = GetParam() + ".yaml";
  config::LoadResult result = config::loadString(testing::readFile(dir / name), name);
  ir::Config ir = translate(result.model, Options{}, result.diagnostics);
  testing::expectGolden(dir / (GetParam() + ".ir.json"), ir::toJson(ir));
  testing::expectGolden(dir / (GetParam() + ".diag"), result.diagnostics.format());
}

INSTANTIATE_TEST_SUITE_P(Cases, TranslateGoldenTest,
                         ::testing::ValuesIn(testing::goldenCases(testing::testDataDir() /
                                                                  "translate")),
                         [](const auto& test_case) { return test_case.param; });

}  // namespace
}  // namespace meshgate::translate
