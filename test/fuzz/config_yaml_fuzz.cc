// Raw bytes as a YAML config file: load, then translate. Must never crash, hang or throw.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/loader.h"
#include "ir/ir_json.h"
#include "translate/translate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view yaml(reinterpret_cast<const char*>(data), size);
  meshgate::config::LoadResult result = meshgate::config::loadString(yaml, "fuzz.yaml");
  meshgate::ir::Config ir = meshgate::translate::translate(
      result.model, meshgate::translate::Options{}, result.diagnostics);
  // Formatting walks every string the diagnostics and the IR hold.
  (void)result.diagnostics.format();
  (void)meshgate::ir::toJson(ir);
  return 0;
}
