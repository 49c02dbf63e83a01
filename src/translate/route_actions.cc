#include "translate/route_actions.h"

#include "base/strings.h"

namespace meshgate::translate {

using base::SourceRef;

namespace {

// Istio lets headers change ordinary fields only: :path and :authority have rewrite.
bool checkHeaderName(const std::string& name, const SourceRef& where, const std::string& path,
                     config::Diagnostics& d) {
  if (name.empty()) {
    d.error(where, path, "empty header name");
    return false;
  }
  if (name[0] == ':' || base::equalsIgnoreCase(name, "host")) {
    d.error(where, path, "header '" + name + "' cannot be changed with headers",
            "use rewrite.uri or rewrite.authority to change the path or authority");
    return false;
  }
  return true;
}

ir::HeaderMutation translateOperations(const config::HeaderOperations& operations,
                                       const std::string& path, config::Diagnostics& d) {
  ir::HeaderMutation out;
  auto values = [&](const std::vector<config::HeaderValue>& in, const std::string& field,
                    std::vector<std::pair<std::string, std::string>>& target) {
    for (const auto& header : in) {
      if (!checkHeaderName(header.name, header.where, path + "." + field + "." + header.name, d)) {
        continue;
      }
      target.emplace_back(base::lowerAscii(header.name), header.value);
    }
  };
  values(operations.set, "set", out.set);
  values(operations.add, "add", out.add);
  for (size_t i = 0; i < operations.remove.size(); ++i) {
    const auto& name = operations.remove[i];
    if (!checkHeaderName(name.value, name.where, path + ".remove[" + std::to_string(i) + "]", d)) {
      continue;
    }
    out.remove.push_back(base::lowerAscii(name.value));
  }
  return out;
}

bool translateRewrite(const config::HttpRewrite& rewrite, const std::string& path,
                      config::Diagnostics& d, ir::Route& route) {
  for (const auto& field : rewrite.unimplemented) {
    d.warning(field.where, path + "." + field.value,
              "meshgate does not implement " + field.value + " yet; it is ignored");
  }
  if (!rewrite.uri && !rewrite.authority) {
    if (rewrite.unimplemented.empty()) {
      d.error(rewrite.where, path, "rewrite must set uri or authority");
    }
    return true;
  }
  if (rewrite.uri && rewrite.uri.value.empty()) {
    d.error(rewrite.uri.where, path + ".uri", "rewrite.uri is empty");
    return false;
  }
  ir::Rewrite out;
  if (rewrite.uri) out.uri = rewrite.uri.value;
  if (rewrite.authority) out.authority = rewrite.authority.value;
  route.rewrite = std::move(out);
  return true;
}

bool isRedirectCode(uint32_t code) {
  return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
}

bool translateRedirect(const config::HttpRedirect& redirect, const std::string& path,
                       config::Diagnostics& d, ir::Route& route) {
  for (const auto& field : redirect.unimplemented) {
    d.warning(field.where, path + "." + field.value,
              "meshgate does not implement " + field.value +
                  " yet; the redirect keeps the request's port unless port is set");
  }
  if (!redirect.uri && !redirect.authority && !redirect.scheme && !redirect.port) {
    d.error(redirect.where, path, "redirect must set uri, authority, scheme or port");
    return false;
  }
  ir::Redirect out;
  if (redirect.uri) out.uri = redirect.uri.value;
  if (redirect.authority) out.authority = redirect.authority.value;
  if (redirect.scheme) out.scheme = redirect.scheme.value;
  if (redirect.port) out.port = redirect.port.value;
  if (redirect.redirect_code) {
    if (!isRedirectCode(redirect.redirect_code.value)) {
      d.error(redirect.redirect_code.where, path + ".redirectCode",
              "redirectCode " + std::to_string(redirect.redirect_code.value) +
                  " is not a redirect status",
              "use 301, 302, 303, 307 or 308");
      return false;
    }
    out.status = redirect.redirect_code.value;
  }
  route.redirect = std::move(out);
  return true;
}

bool translateDirectResponse(const config::HttpDirectResponse& direct, const std::string& path,
                             config::Diagnostics& d, ir::Route& route) {
  if (!direct.status) return false;  // the loader reported it missing or invalid
  if (direct.status.value < 200 || direct.status.value > 599) {
    d.error(direct.status.where, path + ".status",
            "status " + std::to_string(direct.status.value) + " is out of range 200-599");
    return false;
  }
  if (direct.body_string && direct.body_bytes) {
    d.error(direct.body_bytes.where, path + ".body", "set only one of body.string or body.bytes");
    return false;
  }
  ir::DirectResponse out;
  out.status = direct.status.value;
  out.body = direct.body_string ? direct.body_string.value : direct.body_bytes.value;
  route.direct_response = std::move(out);
  return true;
}

// A percentage as Istio reads it: 0-100, with anything outside refused.
std::optional<double> checkPercent(const config::Located<double>& percent, const std::string& path,
                                   config::Diagnostics& d) {
  if (!percent) return 100.0;
  if (!(percent.value >= 0.0 && percent.value <= 100.0)) {
    d.error(percent.where, path, "percentage must be between 0 and 100");
    return std::nullopt;
  }
  return percent.value;
}

bool translateMirrors(const config::HttpRoute& http, const std::string& vs_namespace,
                      const std::string& path, ClusterTable& clusters, config::Diagnostics& d,
                      ir::Route& route) {
  if (http.mirror && !http.mirrors.empty()) {
    d.error(http.mirrors[0].where, path + ".mirrors", "set only one of mirror or mirrors");
    return false;
  }
  bool ok = true;
  if (http.mirror) {
    config::Located<double> percent = http.mirror_percentage;
    std::string percent_path = path + ".mirrorPercentage.value";
    if (!percent && http.mirror_percent) {
      percent = {static_cast<double>(http.mirror_percent.value), http.mirror_percent.where, true};
      percent_path = path + ".mirrorPercent";
    }
    auto cluster = clusters.reference(*http.mirror, vs_namespace, path + ".mirror");
    auto value = checkPercent(percent, percent_path, d);
    if (cluster && value) {
      route.mirrors.push_back({*cluster, *value});
    } else {
      ok = false;
    }
  } else if (http.mirror_percentage || http.mirror_percent) {
    const SourceRef& where =
        http.mirror_percentage ? http.mirror_percentage.where : http.mirror_percent.where;
    d.warning(where, path + ".mirrorPercentage", "mirrorPercentage without mirror has no effect");
  }
  for (size_t i = 0; i < http.mirrors.size(); ++i) {
    std::string mirror_path = path + ".mirrors[" + std::to_string(i) + "]";
    const config::HttpMirror& mirror = http.mirrors[i];
    auto cluster =
        clusters.reference(mirror.destination, vs_namespace, mirror_path + ".destination");
    auto value = checkPercent(mirror.percentage, mirror_path + ".percentage.value", d);
    if (cluster && value) {
      route.mirrors.push_back({*cluster, *value});
    } else {
      ok = false;
    }
  }
  return ok;
}

// Istio's validation: one action per route, and rewrite only where the call is forwarded.
bool checkOneAction(const config::HttpRoute& http, const std::string& path,
                    config::Diagnostics& d) {
  int actions = (http.route.empty() ? 0 : 1) + (http.redirect ? 1 : 0) +
                (http.direct_response ? 1 : 0) + (http.delegate ? 1 : 0);
  if (actions == 0) {
    d.error(http.where, path, "route, redirect, directResponse or delegate is required");
    return false;
  }
  if (actions > 1) {
    d.error(http.where, path, "set only one of route, redirect, directResponse or delegate");
    return false;
  }
  if (http.rewrite && (http.redirect || http.direct_response)) {
    d.error(http.rewrite->where, path + ".rewrite",
            "rewrite cannot be combined with redirect or directResponse");
    return false;
  }
  return true;
}

}  // namespace

ir::HeaderOperations translateHeaders(const config::Headers& headers, const std::string& path,
                                      config::Diagnostics& d) {
  ir::HeaderOperations out;
  if (headers.request) out.request = translateOperations(*headers.request, path + ".request", d);
  if (headers.response) {
    out.response = translateOperations(*headers.response, path + ".response", d);
  }
  return out;
}

bool translateActions(const config::HttpRoute& http, const std::string& vs_namespace,
                      const std::string& path, ClusterTable& clusters, config::Diagnostics& d,
                      ir::Route& route) {
  if (!checkOneAction(http, path, d)) return false;
  bool ok = true;
  if (http.headers) route.headers = translateHeaders(*http.headers, path + ".headers", d);
  if (http.rewrite) ok = translateRewrite(*http.rewrite, path + ".rewrite", d, route) && ok;
  if (http.redirect) ok = translateRedirect(*http.redirect, path + ".redirect", d, route) && ok;
  if (http.direct_response) {
    ok = translateDirectResponse(*http.direct_response, path + ".directResponse", d, route) && ok;
  }
  bool local = http.redirect || http.direct_response;
  if (local && (http.mirror || !http.mirrors.empty())) {
    d.warning(http.mirror ? http.mirror->where : http.mirrors[0].where,
              path + (http.mirror ? ".mirror" : ".mirrors"),
              "a route answered locally is not mirrored; mirror is ignored");
  } else {
    ok = translateMirrors(http, vs_namespace, path, clusters, d, route) && ok;
  }
  return ok;
}

}  // namespace meshgate::translate
