#include "grpcwire/status.h"

#include <string>

#include <gtest/gtest.h>

namespace meshgate::grpcwire {
namespace {

TEST(StatusTest, CodesHaveTheirWireNumbers) {
  struct Row {
    Code code;
    int number;
    std::string_view name;
  };
  const Row rows[] = {
      {Code::kOk, 0, "OK"},
      {Code::kCancelled, 1, "CANCELLED"},
      {Code::kUnknown, 2, "UNKNOWN"},
      {Code::kInvalidArgument, 3, "INVALID_ARGUMENT"},
      {Code::kDeadlineExceeded, 4, "DEADLINE_EXCEEDED"},
      {Code::kNotFound, 5, "NOT_FOUND"},
      {Code::kAlreadyExists, 6, "ALREADY_EXISTS"},
      {Code::kPermissionDenied, 7, "PERMISSION_DENIED"},
      {Code::kResourceExhausted, 8, "RESOURCE_EXHAUSTED"},
      {Code::kFailedPrecondition, 9, "FAILED_PRECONDITION"},
      {Code::kAborted, 10, "ABORTED"},
      {Code::kOutOfRange, 11, "OUT_OF_RANGE"},
      {Code::kUnimplemented, 12, "UNIMPLEMENTED"},
      {Code::kInternal, 13, "INTERNAL"},
      {Code::kUnavailable, 14, "UNAVAILABLE"},
      {Code::kDataLoss, 15, "DATA_LOSS"},
      {Code::kUnauthenticated, 16, "UNAUTHENTICATED"},
  };
  ASSERT_EQ(std::size(rows), static_cast<size_t>(kCodeCount));
  for (const Row& row : rows) {
    SCOPED_TRACE(std::string(row.name));
    EXPECT_EQ(codeNumber(row.code), row.number);
    EXPECT_EQ(codeName(row.code), row.name);
    EXPECT_EQ(codeFromNumber(row.number), row.code);
    EXPECT_EQ(parseCodeName(row.name), row.code);
  }
}

TEST(StatusTest, NumbersOutsideTheTableHaveNoCode) {
  EXPECT_EQ(codeFromNumber(-1), std::nullopt);
  EXPECT_EQ(codeFromNumber(17), std::nullopt);
}

TEST(StatusTest, ParsesRetryOnSpellings) {
  struct Row {
    std::string_view text;
    Code code;
  };
  const Row rows[] = {
      {"cancelled", Code::kCancelled},
      {"deadline-exceeded", Code::kDeadlineExceeded},
      {"internal", Code::kInternal},
      {"resource-exhausted", Code::kResourceExhausted},
      {"unavailable", Code::kUnavailable},
      {"permission-denied", Code::kPermissionDenied},
      {"ok", Code::kOk},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(parseCodeName(row.text), row.code) << row.text;
  }
}

TEST(StatusTest, RejectsMisspelledAndMixedNames) {
  for (std::string_view text :
       {"", "unavilable", "Unavailable", "resource_exhausted", "RESOURCE-EXHAUSTED", "UNAVAILABLE ",
        " unavailable", "14", "canceled", "5xx", "unavailablee"}) {
    EXPECT_EQ(parseCodeName(text), std::nullopt) << "'" << text << "'";
  }
}

TEST(StatusTest, MapsHttpStatusPerGrpcTable) {
  struct Row {
    int http;
    Code code;
  };
  const Row rows[] = {
      {400, Code::kInternal},      {401, Code::kUnauthenticated}, {403, Code::kPermissionDenied},
      {404, Code::kUnimplemented}, {429, Code::kUnavailable},     {502, Code::kUnavailable},
      {503, Code::kUnavailable},   {504, Code::kUnavailable},     {200, Code::kUnknown},
      {500, Code::kUnknown},       {431, Code::kUnknown},         {0, Code::kUnknown},
      {-1, Code::kUnknown},        {999, Code::kUnknown},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(httpStatusToGrpc(row.http), row.code) << row.http;
  }
}

}  // namespace
}  // namespace meshgate::grpcwire
