#include "config/diagnostics.h"

#include <algorithm>
#include <tuple>
#include <utility>

namespace meshgate::config {

void Diagnostics::error(base::SourceRef where, std::string field, std::string message,
                        std::string hint) {
  add({Severity::kError, std::move(where), std::move(field), std::move(message), std::move(hint)});
}

void Diagnostics::warning(base::SourceRef where, std::string field, std::string message,
                          std::string hint) {
  add({Severity::kWarning, std::move(where), std::move(field), std::move(message),
       std::move(hint)});
}

void Diagnostics::add(Diagnostic diagnostic) {
  if (diagnostic.severity == Severity::kError) ++error_count_;
  all_.push_back(std::move(diagnostic));
}

void Diagnostics::append(const Diagnostics& other) {
  for (const Diagnostic& diagnostic : other.all()) add(diagnostic);
}

void Diagnostics::sortByPosition(size_t first) {
  if (first >= all_.size()) return;
  std::stable_sort(all_.begin() + static_cast<std::ptrdiff_t>(first), all_.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::tie(a.where.file, a.where.line, a.where.column) <
                            std::tie(b.where.file, b.where.line, b.where.column);
                   });
}

std::string formatDiagnostic(const Diagnostic& diagnostic) {
  std::string line;
  if (diagnostic.where.line > 0) {
    line += diagnostic.where.toString() + ": ";
  } else if (!diagnostic.where.file.empty()) {
    line += diagnostic.where.file + ": ";  // a whole-file problem (unreadable, not YAML)
  }
  line += diagnostic.severity == Severity::kError ? "error: " : "warning: ";
  if (!diagnostic.field.empty()) line += diagnostic.field + ": ";
  line += diagnostic.message;
  line += '\n';
  if (!diagnostic.hint.empty()) line += "  hint: " + diagnostic.hint + '\n';
  return line;
}

std::string Diagnostics::format() const {
  std::string text;
  for (const Diagnostic& diagnostic : all_) text += formatDiagnostic(diagnostic);
  return text;
}

}  // namespace meshgate::config
