#pragma once

#include <string>
#include <vector>

#include "base/source_ref.h"

namespace meshgate::config {

enum class Severity { kError, kWarning };

// One config finding: where it is, the field path in the user's spelling
// ("spec.http[0].route[0].destination.host"), what is wrong and, optionally, how to fix it.
struct Diagnostic {
  Severity severity = Severity::kError;
  base::SourceRef where;
  std::string field;
  std::string message;
  std::string hint;
  bool operator==(const Diagnostic&) const = default;
};

// Collects every finding of a load or a translation, in the order they were found, so a user
// sees all problems at once. Single-threaded; owned by whoever runs the load.
class Diagnostics {
 public:
  void error(base::SourceRef where, std::string field, std::string message, std::string hint = {});
  void warning(base::SourceRef where, std::string field, std::string message,
               std::string hint = {});
  void add(Diagnostic diagnostic);
  void append(const Diagnostics& other);
  // Stable-sorts the diagnostics from index `first` on by file position, so the findings of one
  // file read top to bottom whatever order the decoders found them in.
  void sortByPosition(size_t first);

  bool hasErrors() const { return error_count_ > 0; }
  size_t errorCount() const { return error_count_; }
  const std::vector<Diagnostic>& all() const { return all_; }

  // One line per diagnostic, "file:line:column: error: field.path: message", followed by an
  // indented "  hint: ..." line when the diagnostic has a hint.
  std::string format() const;

 private:
  std::vector<Diagnostic> all_;
  size_t error_count_ = 0;
};

std::string formatDiagnostic(const Diagnostic& diagnostic);

}  // namespace meshgate::config
