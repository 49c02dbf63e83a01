#include "config/decode.h"

namespace meshgate::config {

ObjectMeta decodeMeta(MapReader& doc) {
  ObjectMeta out;
  out.where = doc.where();
  bool has_metadata = doc.object("metadata", [&](MapReader& metadata) {
    out.name = metadata.string("name", true).value;
    Located<std::string> namespace_name = metadata.string("namespace");
    if (namespace_name && !namespace_name.value.empty()) out.namespace_name = namespace_name.value;
    out.labels = metadata.stringMap("labels");
    out.annotations = metadata.locatedStringMap("annotations");
    metadata.ignore({"uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
                     "ownerReferences", "finalizers", "generateName", "deletionTimestamp",
                     "deletionGracePeriodSeconds", "selfLink"});
  });
  if (!has_metadata) doc.require("metadata", "metadata.name names the object");
  return out;
}

}  // namespace meshgate::config
