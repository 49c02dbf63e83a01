// The single file that includes yaml-cpp: it turns parser events into YamlNode trees and the
// library's exceptions into diagnostics.
#include "config/yaml_reader.h"

#include <map>
#include <sstream>
#include <string>
#include <utility>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

namespace meshgate::config {
namespace {

// A node under construction. Map children alternate key, value.
struct Frame {
  YamlNode node;
  YAML::anchor_t anchor = 0;
  size_t size = 1;  // nodes in this subtree, aliases counted as expanded
  bool has_pending_key = false;
  YamlNode pending_key;
};

// Builds YamlNodes from the event stream with an explicit stack (no recursion on input depth).
class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(std::string file, std::vector<YamlNode>& documents, Diagnostics& diagnostics)
      : file_(std::move(file)), documents_(documents), diagnostics_(diagnostics) {}

  bool failed() const { return failed_; }

  // YAML::EventHandler
  void OnDocumentStart(const YAML::Mark&) override {
    stack_.clear();
    anchors_.clear();
    root_ = YamlNode{};
  }
  void OnDocumentEnd() override {
    if (!failed_) documents_.push_back(std::move(root_));
  }
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    YamlNode node;
    node.where = ref(mark);
    finish(std::move(node), anchor, 1, 1);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) {
      fail(ref(mark), "alias refers to an anchor that is not complete yet");
      return;
    }
    // Charge before copying, so an alias bomb is refused before it is expanded.
    if (node_count_ + it->second.second > kMaxYamlNodes) {
      fail(ref(mark), "document expands to more than " + std::to_string(kMaxYamlNodes) +
                          " nodes (aliases?); refusing to read it");
      return;
    }
    YamlNode copy = it->second.first;
    finish(std::move(copy), 0, it->second.second, it->second.second);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    YamlNode node;
    node.kind = YamlNode::Kind::kScalar;
    node.scalar = value;
    node.quoted = tag != "?";  // "?" marks a plain scalar; quotes or a tag give "!" or the tag
    node.where = ref(mark);
    finish(std::move(node), anchor, 1, 1);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    start(YamlNode::Kind::kSequence, mark, anchor);
  }
  void OnSequenceEnd() override { end(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    start(YamlNode::Kind::kMap, mark, anchor);
  }
  void OnMapEnd() override { end(); }

 private:
  base::SourceRef ref(const YAML::Mark& mark) const {
    // yaml-cpp marks are 0-based; ours are 1-based. A null mark (-1) becomes 0.
    return {file_, mark.line + 1 > 0 ? mark.line + 1 : 0,
            mark.column + 1 > 0 ? mark.column + 1 : 0};
  }

  void fail(base::SourceRef where, std::string message) {
    if (failed_) return;
    failed_ = true;
    diagnostics_.error(std::move(where), "", std::move(message));
  }

  void start(YamlNode::Kind kind, const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (failed_) return;
    if (++node_count_ > kMaxYamlNodes) {
      fail(ref(mark), "document has more than " + std::to_string(kMaxYamlNodes) + " nodes");
      return;
    }
    Frame frame;
    frame.node.kind = kind;
    frame.node.where = ref(mark);
    frame.anchor = anchor;
    stack_.push_back(std::move(frame));
  }

  void end() {
    if (failed_ || stack_.empty()) return;
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    finish(std::move(frame.node), frame.anchor, frame.size, /*charge=*/0);
  }

  // Attaches a completed node of `size` nodes to its parent (or makes it the document root).
  // `charge` is what it adds to the document's node count: its children were charged already,
  // except for an alias copy, which is charged whole.
  void finish(YamlNode node, YAML::anchor_t anchor, size_t size, size_t charge) {
    if (failed_) return;
    node_count_ += charge;
    if (node_count_ > kMaxYamlNodes) {
      fail(node.where, "document expands to more than " + std::to_string(kMaxYamlNodes) +
                           " nodes (aliases?); refusing to read it");
      return;
    }
    if (anchor != 0) anchors_[anchor] = {node, size};
    if (stack_.empty()) {
      root_ = std::move(node);
      return;
    }
    Frame& parent = stack_.back();
    parent.size += size;
    if (parent.node.kind == YamlNode::Kind::kSequence) {
      parent.node.items.push_back(std::move(node));
    } else if (!parent.has_pending_key) {
      parent.pending_key = std::move(node);
      parent.has_pending_key = true;
    } else {
      addEntry(parent, std::move(node));
    }
  }

  void addEntry(Frame& parent, YamlNode value) {
    parent.has_pending_key = false;
    if (!parent.pending_key.isScalar()) {
      fail(parent.pending_key.where, "map keys must be plain strings");
      return;
    }
    parent.node.entries.push_back(
        {std::move(parent.pending_key.scalar), parent.pending_key.where, std::move(value)});
  }

  std::string file_;
  std::vector<YamlNode>& documents_;
  Diagnostics& diagnostics_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, std::pair<YamlNode, size_t>> anchors_;
  YamlNode root_;
  size_t node_count_ = 0;
  bool failed_ = false;
};

}  // namespace

std::vector<YamlNode> readYamlDocuments(std::string_view text, std::string_view file_name,
                                        Diagnostics& diagnostics) {
  std::vector<YamlNode> documents;
  std::istringstream stream{std::string(text)};
  TreeBuilder builder(std::string(file_name), documents, diagnostics);
  try {
    YAML::Parser parser(stream);
    while (!builder.failed() && parser.HandleNextDocument(builder)) {
    }
  } catch (const YAML::Exception& e) {
    base::SourceRef where{std::string(file_name), e.mark.line + 1, e.mark.column + 1};
    if (e.mark.is_null()) where = {std::string(file_name), 0, 0};
    diagnostics.error(std::move(where), "", "YAML syntax error: " + e.msg);
  } catch (const std::exception& e) {
    diagnostics.error({std::string(file_name), 0, 0}, "",
                      std::string("cannot read YAML: ") + e.what());
  }
  return documents;
}

}  // namespace meshgate::config
