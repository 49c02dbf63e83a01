#include "config/yaml_reader.h"

#include <gtest/gtest.h>

namespace meshgate::config {
namespace {

TEST(YamlReaderTest, PositionsAreOneBased) {
  Diagnostics d;
  auto docs = readYamlDocuments("a: 1\nb:\n  c: x\n", "f.yaml", d);
  ASSERT_EQ(docs.size(), 1u);
  const YamlNode* b = docs[0].get("b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->where, (base::SourceRef{"f.yaml", 3, 3}));
  EXPECT_EQ(docs[0].entries[1].key_where, (base::SourceRef{"f.yaml", 2, 1}));
  EXPECT_FALSE(d.hasErrors());
}

TEST(YamlReaderTest, ReadsEveryDocument) {
  Diagnostics d;
  auto docs = readYamlDocuments("a: 1\n---\nb: 2\n---\n", "f.yaml", d);
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_TRUE(docs[2].isNull());
}

TEST(YamlReaderTest, QuotedScalarsAreMarked) {
  Diagnostics d;
  auto docs = readYamlDocuments("a: \"1\"\nb: 1\n", "f.yaml", d);
  EXPECT_TRUE(docs[0].get("a")->quoted);
  EXPECT_FALSE(docs[0].get("b")->quoted);
}

TEST(YamlReaderTest, ExpandsAliases) {
  Diagnostics d;
  auto docs = readYamlDocuments("a: &x {k: v}\nb: *x\n", "f.yaml", d);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].get("b")->get("k")->scalar, "v");
}

TEST(YamlReaderTest, SyntaxErrorKeepsEarlierDocumentsAndReportsOnce) {
  Diagnostics d;
  auto docs = readYamlDocuments("a: 1\n---\nb: [1, 2\n", "f.yaml", d);
  EXPECT_EQ(docs.size(), 1u);
  ASSERT_EQ(d.all().size(), 1u);
  EXPECT_EQ(d.all()[0].where.file, "f.yaml");
  EXPECT_GT(d.all()[0].where.line, 2);
  EXPECT_NE(d.all()[0].message.find("YAML syntax error"), std::string::npos);
}

TEST(YamlReaderTest, RefusesAliasBombs) {
  std::string yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 8; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    yaml += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev + ", " + prev +
            ", " + prev + ", " + prev + ", " + prev + ", " + prev + ", " + prev + ", " + prev +
            ", " + prev + ", " + prev + "]\n";
  }
  Diagnostics d;
  auto docs = readYamlDocuments(yaml, "bomb.yaml", d);
  EXPECT_TRUE(docs.empty());
  ASSERT_TRUE(d.hasErrors());
  EXPECT_NE(d.all()[0].message.find("more than"), std::string::npos);
}

TEST(YamlReaderTest, RefusesSelfReferencingAnchor) {
  Diagnostics d;
  auto docs = readYamlDocuments("a: &x [*x]\n", "f.yaml", d);
  EXPECT_TRUE(d.hasErrors());
}

TEST(YamlReaderTest, ReportsNonScalarKeys) {
  Diagnostics d;
  readYamlDocuments("? [a, b]\n: c\n", "f.yaml", d);
  EXPECT_TRUE(d.hasErrors());
}

}  // namespace
}  // namespace meshgate::config
