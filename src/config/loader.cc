#include "config/loader.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <span>
#include <sstream>
#include <string>
#include <system_error>
#include <tuple>

#include "config/decode.h"
#include "config/scalars.h"
#include "config/yaml_reader.h"

namespace meshgate::config {
namespace {

constexpr std::string_view kIstioVersions[] = {
    "networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3"};
constexpr std::string_view kIstioKinds[] = {"Gateway",      "VirtualService", "DestinationRule",
                                            "ServiceEntry", "WorkloadEntry",  "EnvoyFilter"};
constexpr std::string_view kCoreKinds[] = {"Service", "Endpoints", "Secret", "Pod", "List"};

bool contains(std::span<const std::string_view> list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// The apiVersions that carry `kind`, for "did you mean" hints; empty for unknown kinds.
std::vector<std::string> versionsOf(std::string_view kind) {
  if (contains(kIstioKinds, kind)) return {kIstioVersions, std::end(kIstioVersions)};
  if (contains(kCoreKinds, kind)) return {"v1"};
  if (kind == "EndpointSlice") return {"discovery.k8s.io/v1"};
  return {};
}

std::vector<std::string> allKinds() {
  std::vector<std::string> kinds(std::begin(kIstioKinds), std::end(kIstioKinds));
  kinds.insert(kinds.end(), std::begin(kCoreKinds), std::end(kCoreKinds));
  kinds.emplace_back("EndpointSlice");
  return kinds;
}

// Decodes documents into one Model, numbering objects and refusing duplicates.
class Loader {
 public:
  explicit Loader(LoadResult& result) : result_(result) {}

  void addText(std::string_view text, std::string_view file_name) {
    size_t first = result_.diagnostics.all().size();
    for (const YamlNode& document : readYamlDocuments(text, file_name, result_.diagnostics)) {
      addDocument(document, "");
    }
    result_.diagnostics.sortByPosition(first);
  }

 private:
  Diagnostics& diagnostics() { return result_.diagnostics; }

  void addDocument(const YamlNode& document, const std::string& path) {
    if (document.isNull()) return;  // an empty document ("---" at the end of a file)
    MapReader doc(document, path, diagnostics());
    if (!doc.valid()) return;
    Located<std::string> api_version = doc.string("apiVersion", true);
    Located<std::string> kind = doc.string("kind", true);
    doc.ignore({"status"});
    if (!api_version || !kind) {
      ignoreRest(doc, document);
      return;
    }
    std::vector<std::string> versions = versionsOf(kind.value);
    if (versions.empty()) {
      std::string guess = closestMatch(kind.value, allKinds());
      diagnostics().warning(kind.where, doc.child("kind"),
                            "unknown kind '" + kind.value + "' (" + api_version.value +
                                "); meshgate ignores this document",
                            guess.empty() ? "" : "did you mean '" + guess + "'?");
      ignoreRest(doc, document);
      return;
    }
    if (std::find(versions.begin(), versions.end(), api_version.value) == versions.end()) {
      std::string guess = closestMatch(api_version.value, versions);
      diagnostics().warning(api_version.where, doc.child("apiVersion"),
                            "unknown apiVersion '" + api_version.value + "' for kind " +
                                kind.value + "; meshgate ignores this document",
                            "did you mean '" + (guess.empty() ? versions[0] : guess) + "'?");
      ignoreRest(doc, document);
      return;
    }
    decodeKind(doc, kind.value);
  }

  // An ignored document's fields are not "unknown": they were never looked at.
  static void ignoreRest(MapReader& doc, const YamlNode& document) {
    for (const YamlEntry& entry : document.entries) doc.ignore({entry.key});
  }

  void decodeKind(MapReader& doc, const std::string& kind) {
    Model& m = result_.model;
    if (kind == "Gateway") return add(m.gateways, decodeGateway(doc), kind);
    if (kind == "VirtualService") return add(m.virtual_services, decodeVirtualService(doc), kind);
    if (kind == "DestinationRule")
      return add(m.destination_rules, decodeDestinationRule(doc), kind);
    if (kind == "ServiceEntry") return add(m.service_entries, decodeServiceEntry(doc), kind);
    if (kind == "WorkloadEntry") return add(m.workload_entries, decodeWorkloadEntry(doc), kind);
    if (kind == "EnvoyFilter") return add(m.envoy_filters, decodeEnvoyFilter(doc), kind);
    if (kind == "Service") return add(m.services, decodeService(doc), kind);
    if (kind == "Endpoints") return add(m.endpoints, decodeEndpoints(doc), kind);
    if (kind == "EndpointSlice") return add(m.endpoint_slices, decodeEndpointSlice(doc), kind);
    if (kind == "Pod") return add(m.pods, decodePod(doc), kind);
    if (kind == "Secret") return add(m.secrets, decodeSecret(doc), kind);
    if (kind == "List") return addList(doc);
  }

  // kubectl get -o yaml writes "kind: List" with the objects under items.
  void addList(MapReader& doc) {
    doc.ignore({"metadata"});
    const YamlNode* items = doc.get("items");
    if (items == nullptr || !items->isSequence()) return;
    for (size_t i = 0; i < items->items.size(); ++i) {
      addDocument(items->items[i], indexPath(doc.child("items"), i));
    }
  }

  template <typename T>
  void add(std::vector<T>& out, T object, const std::string& kind) {
    if (object.meta.name.empty()) return;  // already reported as missing
    auto key = std::tuple(kind, object.meta.namespace_name, object.meta.name);
    auto [it, inserted] = seen_.emplace(key, object.meta.where);
    if (!inserted) {
      diagnostics().error(object.meta.where, "metadata.name",
                          "duplicate " + kind + " " + object.meta.namespace_name + "/" +
                              object.meta.name + ": already defined at " + it->second.toString(),
                          "each kind/namespace/name must be defined once; remove one of them");
      return;
    }
    object.meta.order = next_order_++;
    out.push_back(std::move(object));
  }

  LoadResult& result_;
  std::map<std::tuple<std::string, std::string, std::string>, SourceRef> seen_;
  size_t next_order_ = 0;

 public:
  void addFile(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      diagnostics().error({file.string(), 0, 0}, "", "cannot read file");
      return;
    }
    addText(text.str(), file.string());
  }
};

bool isYamlFile(const std::filesystem::path& path) {
  return path.extension() == ".yaml" || path.extension() == ".yml";
}

std::vector<std::filesystem::path> expand(const std::filesystem::path& path, Diagnostics& d) {
  std::error_code error;
  std::vector<std::filesystem::path> files;
  if (!std::filesystem::is_directory(path, error)) {
    if (!std::filesystem::exists(path, error)) {
      d.error({path.string(), 0, 0}, "", "no such file or directory");
    } else {
      files.push_back(path);
    }
    return files;
  }
  auto options = std::filesystem::directory_options::skip_permission_denied;
  for (auto it = std::filesystem::recursive_directory_iterator(path, options, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (it->is_regular_file(error) && isYamlFile(it->path())) files.push_back(it->path());
  }
  if (error) d.error({path.string(), 0, 0}, "", "cannot list directory: " + error.message());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

LoadResult loadPaths(const std::vector<std::filesystem::path>& paths) {
  LoadResult result;
  Loader loader(result);
  for (const std::filesystem::path& path : paths) {
    for (const std::filesystem::path& file : expand(path, result.diagnostics)) {
      loader.addFile(file);
    }
  }
  return result;
}

LoadResult loadString(std::string_view yaml, std::string_view file_name) {
  LoadResult result;
  Loader loader(result);
  loader.addText(yaml, file_name);
  return result;
}

}  // namespace meshgate::config
