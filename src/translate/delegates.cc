#include "translate/delegates.h"

#include <optional>

namespace meshgate::translate {
namespace {

using config::HttpMatch;
using config::StringMatch;

std::string qualified(const config::VirtualService& vs) {
  return vs.meta.namespace_name + "/" + vs.meta.name;
}

std::string delegateName(const config::Delegate& delegate, const std::string& root_namespace) {
  std::string ns = delegate.namespace_name ? delegate.namespace_name.value : root_namespace;
  return ns + "/" + delegate.name.value;
}

bool prefixOf(const std::string& prefix, const StringMatch& leaf) {
  return leaf.kind != StringMatch::Kind::kRegex && leaf.value.starts_with(prefix);
}

// Istio's stringMatchConflict: a regex on either side conflicts with anything on the other;
// a root exact needs the same exact; a root prefix needs a leaf exact or prefix under it.
bool conflicts(const std::optional<StringMatch>& root, const std::optional<StringMatch>& leaf) {
  if (!root || !leaf) return false;
  if (root->kind == StringMatch::Kind::kRegex || leaf->kind == StringMatch::Kind::kRegex) {
    return true;
  }
  if (root->kind == StringMatch::Kind::kExact) {
    return leaf->kind != StringMatch::Kind::kExact || leaf->value != root->value;
  }
  return !prefixOf(root->value, *leaf);
}

std::optional<StringMatch> narrower(const std::optional<StringMatch>& root,
                                    const std::optional<StringMatch>& leaf) {
  return leaf ? leaf : root;
}

// Named matches (headers, queryParams, withoutHeaders): the leaf's, plus the root's names the
// leaf does not mention; the same name matched differently is a conflict.
bool mergeNamed(const std::vector<config::NamedStringMatch>& root,
                std::vector<config::NamedStringMatch>& leaf) {
  for (const auto& entry : root) {
    bool found = false;
    for (const auto& own : leaf) {
      if (own.name != entry.name) continue;
      found = true;
      if (own.match.kind != entry.match.kind || own.match.value != entry.match.value) return false;
    }
    if (!found) leaf.push_back(entry);
  }
  return true;
}

// The leaf match with the root's conditions ANDed in, or nullopt when the two conflict.
std::optional<HttpMatch> mergeMatch(const HttpMatch& root, const HttpMatch& leaf) {
  if (conflicts(root.uri, leaf.uri) || conflicts(root.scheme, leaf.scheme) ||
      conflicts(root.method, leaf.method) || conflicts(root.authority, leaf.authority)) {
    return std::nullopt;
  }
  if (root.port && leaf.port && root.port.value != leaf.port.value) return std::nullopt;
  if (root.ignore_uri_case.value != leaf.ignore_uri_case.value && root.uri && leaf.uri) {
    return std::nullopt;
  }
  HttpMatch out = leaf;
  out.uri = narrower(root.uri, leaf.uri);
  out.scheme = narrower(root.scheme, leaf.scheme);
  out.method = narrower(root.method, leaf.method);
  out.authority = narrower(root.authority, leaf.authority);
  if (!leaf.port) out.port = root.port;
  if (!leaf.uri) out.ignore_uri_case = root.ignore_uri_case;
  if (!mergeNamed(root.headers, out.headers) || !mergeNamed(root.query_params, out.query_params) ||
      !mergeNamed(root.without_headers, out.without_headers)) {
    return std::nullopt;
  }
  if (out.gateways.empty()) out.gateways = root.gateways;
  if (out.source_labels.empty()) out.source_labels = root.source_labels;
  return out;
}

// Istio's mergeHTTPMatchRequests: every pair of root and leaf matches, and any conflict drops
// the leaf route.
std::optional<std::vector<HttpMatch>> mergeMatches(const std::vector<HttpMatch>& root,
                                                   const std::vector<HttpMatch>& leaf) {
  if (root.empty()) return leaf;
  if (leaf.empty()) return root;
  std::vector<HttpMatch> out;
  for (const auto& r : root) {
    for (const auto& l : leaf) {
      auto merged = mergeMatch(r, l);
      if (!merged) return std::nullopt;
      out.push_back(std::move(*merged));
    }
  }
  return out;
}

// Istio's mergeHTTPRoute: what the leaf does not set, the root route does.
void inheritFromRoot(const config::HttpRoute& root, config::HttpRoute& leaf) {
  if (!leaf.name && root.name) leaf.name = root.name;
  if (!leaf.rewrite) leaf.rewrite = root.rewrite;
  if (!leaf.timeout) leaf.timeout = root.timeout;
  if (!leaf.retries) leaf.retries = root.retries;
  if (!leaf.headers) leaf.headers = root.headers;
  if (!leaf.mirror && leaf.mirrors.empty()) {
    leaf.mirror = root.mirror;
    leaf.mirrors = root.mirrors;
    if (!leaf.mirror_percentage) leaf.mirror_percentage = root.mirror_percentage;
    if (!leaf.mirror_percent) leaf.mirror_percent = root.mirror_percent;
  }
}

const config::VirtualService* findDelegate(const config::Model& model, const std::string& name) {
  for (const config::VirtualService& vs : model.virtual_services) {
    if (qualified(vs) == name) return &vs;
  }
  return nullptr;
}

}  // namespace

std::vector<DelegatedRoute> expandDelegate(const config::Model& model,
                                           const config::VirtualService& root,
                                           const config::HttpRoute& root_http,
                                           const std::string& path, config::Diagnostics& d) {
  std::vector<DelegatedRoute> out;
  const config::Delegate& delegate = *root_http.delegate;
  if (!delegate.name) return out;  // the loader reported it missing
  std::string name = delegateName(delegate, root.meta.namespace_name);
  const config::VirtualService* leaf_vs = findDelegate(model, name);
  if (leaf_vs == nullptr) {
    d.error(delegate.where, path + ".delegate", "no VirtualService " + name + " to delegate to");
    return out;
  }
  if (!leaf_vs->hosts.empty()) {
    d.error(delegate.where, path + ".delegate",
            "VirtualService " + name + " has hosts, so it cannot be a delegate",
            "a delegate VirtualService sets no hosts (and no gateways)");
    return out;
  }
  for (size_t j = 0; j < leaf_vs->http.size(); ++j) {
    const config::HttpRoute& leaf = leaf_vs->http[j];
    std::string leaf_path = "spec.http[" + std::to_string(j) + "]";
    if (leaf.delegate) {
      d.error(leaf.delegate->where, leaf_path + ".delegate",
              "delegate VirtualService " + name + " delegates again; Istio allows one level");
      continue;
    }
    auto matches = mergeMatches(root_http.match, leaf.match);
    if (!matches) {
      d.warning(leaf.where, leaf_path + ".match",
                "this route of delegate " + name + " is not within the match of " +
                    qualified(root) + " " + path + "; it is dropped, as Istio drops it",
                "a delegate's uri must be the root's exact path or under its prefix, and regex "
                "matches cannot be combined");
      continue;
    }
    DelegatedRoute merged{leaf_vs, j, leaf};
    merged.http.match = std::move(*matches);
    inheritFromRoot(root_http, merged.http);
    out.push_back(std::move(merged));
  }
  return out;
}

void checkHostlessVirtualServices(const config::Model& model, config::Diagnostics& d) {
  for (const config::VirtualService& vs : model.virtual_services) {
    if (!vs.hosts.empty()) continue;
    bool named = false;
    for (const config::VirtualService& root : model.virtual_services) {
      for (const config::HttpRoute& http : root.http) {
        if (http.delegate && http.delegate->name &&
            delegateName(*http.delegate, root.meta.namespace_name) == qualified(vs)) {
          named = true;
        }
      }
    }
    if (!named) {
      d.error(vs.meta.where, "spec.hosts", "required field 'hosts' is missing (at least one host)",
              "only a delegate VirtualService, named by another's http[].delegate, has no hosts");
    } else if (!vs.gateways.empty()) {
      d.warning(vs.gateways[0].where, "spec.gateways",
                "a delegate VirtualService's gateways are ignored; the root's apply");
    }
  }
}

}  // namespace meshgate::translate
