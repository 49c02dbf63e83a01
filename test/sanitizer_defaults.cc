// Linked into every test executable of the sanitizer build (not into meshgate itself).
//
// grpc++'s detached threads can still be exiting when a test process ends, and OpenSSL's
// per-thread error state of such a thread is then reported as a leak (see tools/lsan.supp).
// libcrypto has no frame pointers, so only the slow unwinder sees the ERR_* frame that the
// suppression matches. ASAN_OPTIONS set in the environment still take precedence.
extern "C" const char* __asan_default_options() {  // NOLINT: the sanitizer runtime's hook
  return "fast_unwind_on_malloc=0";
}
