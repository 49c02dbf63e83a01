#include "http/headers.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace meshgate::http {
namespace {

std::vector<std::string> names(const HeaderList& headers) {
  std::vector<std::string> out;
  for (HeaderView field : headers) out.emplace_back(field.name);
  return out;
}

TEST(HeaderListTest, KeepsInsertionOrder) {
  HeaderList headers;
  headers.add(":method", "POST");
  headers.add(":path", "/pkg.Svc/Method");
  headers.add("te", "trailers");
  ASSERT_EQ(headers.size(), 3u);
  EXPECT_EQ(names(headers), (std::vector<std::string>{":method", ":path", "te"}));
  EXPECT_EQ(headers[1].value, "/pkg.Svc/Method");
  EXPECT_EQ(headers[2].value, "trailers");
}

TEST(HeaderListTest, FieldsStayIntactAsTheArenaGrows) {
  HeaderList headers;
  for (int i = 0; i < 100; ++i) {
    headers.add("x-field-" + std::to_string(i), std::string(static_cast<size_t>(i), 'v'));
  }
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(headers[i].name, "x-field-" + std::to_string(i));
    EXPECT_EQ(headers[i].value, std::string(static_cast<size_t>(i), 'v'));
  }
}

TEST(HeaderListTest, EmptyNamesAndValuesAreKept) {
  HeaderList headers;
  headers.add("grpc-message", "");
  headers.add("x-after", "1");
  EXPECT_TRUE(headers.has("grpc-message"));
  EXPECT_EQ(headers.get("grpc-message"), "");
  EXPECT_EQ(headers.get("x-after"), "1");
}

TEST(HeaderListTest, FindReturnsTheFirstFieldWithTheName) {
  HeaderList headers;
  headers.add("x-tag", "one");
  headers.add("x-tag", "two");
  HeaderView view;
  const HeaderView* found = headers.find("x-tag", view);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->value, "one");
  EXPECT_EQ(headers.get("x-tag"), "one");
}

TEST(HeaderListTest, MissingFieldIsNullOrEmpty) {
  HeaderList headers;
  headers.add("content-type", "application/grpc");
  HeaderView view;
  EXPECT_EQ(headers.find("grpc-timeout", view), nullptr);
  EXPECT_FALSE(headers.has("grpc-timeout"));
  EXPECT_EQ(headers.get("grpc-timeout"), "");
  EXPECT_FALSE(headers.has("Content-Type"));  // names are stored and compared lower-case
  EXPECT_FALSE(headers.has("content-typ"));   // no prefix matches
}

TEST(HeaderListTest, SetLeavesExactlyOneFieldWithTheNewValue) {
  HeaderList headers;
  headers.add("x-b3", "old");
  headers.add("te", "trailers");
  headers.add("x-b3", "older");
  headers.set("x-b3", "new");
  headers.set("x-new", "1");
  EXPECT_EQ(headers.size(), 3u);
  EXPECT_EQ(headers.get("x-b3"), "new");
  EXPECT_EQ(headers.get("x-new"), "1");
  EXPECT_EQ(headers.get("te"), "trailers");
}

TEST(HeaderListTest, RemoveDropsEveryFieldWithTheName) {
  HeaderList headers;
  headers.add("connection", "keep-alive");
  headers.add("te", "trailers");
  headers.add("connection", "close");
  headers.remove("connection");
  EXPECT_EQ(names(headers), (std::vector<std::string>{"te"}));
  EXPECT_EQ(headers[0].value, "trailers");
}

TEST(HeaderListTest, CopiesAreIndependent) {
  HeaderList original;
  original.add(":authority", "a.example.com");
  HeaderList copy = original;
  original.clear();
  original.add(":authority", "b.example.com");
  EXPECT_EQ(copy.get(":authority"), "a.example.com");
  EXPECT_EQ(original.get(":authority"), "b.example.com");
}

TEST(HeaderListTest, ClearEmptiesTheList) {
  HeaderList headers;
  headers.reserve(4, 64);
  headers.add("a", "b");
  headers.clear();
  EXPECT_TRUE(headers.empty());
  EXPECT_EQ(headers.size(), 0u);
  EXPECT_FALSE(headers.has("a"));
  EXPECT_TRUE(names(headers).empty());
}

TEST(IsConnectionSpecificTest, NamesTheFieldsHttp2Forbids) {
  for (const char* name :
       {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"}) {
    EXPECT_TRUE(isConnectionSpecific(name)) << name;
  }
  for (const char* name : {"te", "content-type", "grpc-timeout", "connections", ""}) {
    EXPECT_FALSE(isConnectionSpecific(name)) << name;
  }
}

}  // namespace
}  // namespace meshgate::http
