#include "io/connection.h"

#include <cstring>

#include <fmt/format.h>

namespace meshgate::io {
namespace {
// Reads per readiness event before yielding to other connections of the loop.
constexpr int kMaxReadsPerEvent = 4;
constexpr size_t kReadChunk = 64 * 1024;
}  // namespace

Connection::Connection(EventLoop& loop, Fd fd, const TransportFactory& make_transport,
                       ConnectionCallbacks& callbacks, bool connecting)
    : fd_(std::move(fd)),
      transport_(make_transport ? make_transport(fd_.get())
                                : std::make_unique<PlainSocket>(fd_.get())),
      callbacks_(callbacks),
      state_(connecting ? State::kConnecting : State::kHandshaking),
      watch_(loop, fd_.get(), [this](short what) { onEvent(what); }),
      read_again_(loop, [this] {
        if (state_ == State::kOpen) readAvailable();
      }) {
  updateInterest();
}

Connection::~Connection() = default;

void Connection::updateInterest() {
  short events = 0;
  switch (state_) {
    case State::kConnecting:
      events = FdWatch::kWrite;
      break;
    case State::kHandshaking:
      events = transport_->handshakeWantsWrite() ? FdWatch::kWrite : FdWatch::kRead;
      break;
    case State::kOpen:
      if (reading_) events |= FdWatch::kRead;
      if (!output_.empty()) events |= FdWatch::kWrite;
      break;
    case State::kClosed:
      break;
  }
  watch_.want(events);
}

void Connection::onEvent(short what) {
  switch (state_) {
    case State::kConnecting:
      continueConnect();
      return;
    case State::kHandshaking:
      continueHandshake();
      return;
    case State::kOpen:
      if (what & FdWatch::kWrite) {
        flush();
        if (state_ != State::kOpen) return;
        if (output_.empty()) callbacks_.onWritable();
      }
      if ((what & FdWatch::kRead) && state_ == State::kOpen) readAvailable();
      return;
    case State::kClosed:
      return;
  }
}

void Connection::start() {
  if (state_ == State::kHandshaking) continueHandshake();
}

void Connection::continueConnect() {
  int error = connectResult(fd_.get());
  if (error != 0) {
    close(fmt::format("connect: {}", std::strerror(error)));
    return;
  }
  state_ = State::kHandshaking;
  continueHandshake();
}

void Connection::continueHandshake() {
  IoResult result = transport_->handshake();
  if (result.status == IoStatus::kAgain) {
    updateInterest();
    return;
  }
  if (result.status != IoStatus::kOk) {
    close(fmt::format("handshake: {}", transport_->failureReason()));
    return;
  }
  state_ = State::kOpen;
  updateInterest();
  callbacks_.onConnected();
  // Bytes that arrived with the last handshake record are readable now.
  if (state_ == State::kOpen && reading_) readAvailable();
}

void Connection::readAvailable() {
  static thread_local uint8_t buffer[kReadChunk];
  for (int i = 0; i < kMaxReadsPerEvent && state_ == State::kOpen && reading_; ++i) {
    IoResult result = transport_->read(buffer, sizeof(buffer));
    if (result.status == IoStatus::kAgain) return;
    if (result.status == IoStatus::kClosed) {
      close("closed by peer");
      return;
    }
    if (result.status == IoStatus::kError) {
      close(fmt::format("read: {}", transport_->failureReason()));
      return;
    }
    callbacks_.onData(buffer, result.bytes);
    if (result.bytes < sizeof(buffer) && !transport_->hasBufferedInput()) return;
  }
  // Budget spent with input left: continue after the loop served the others.
  if (state_ == State::kOpen && reading_) read_again_.schedule();
}

void Connection::flush() {
  if (state_ != State::kOpen) return;
  while (!output_.empty()) {
    IoResult result = transport_->write(output_.data(), output_.size());
    if (result.status == IoStatus::kAgain) break;
    if (result.status != IoStatus::kOk) {
      close(fmt::format("write: {}", transport_->failureReason()));
      return;
    }
    output_.drain(result.bytes);
  }
  // Keep a warm block for the next write; give back what a burst left behind.
  if (output_.empty() && output_.capacity() > 256 * 1024) output_.shrink();
  updateInterest();
}

void Connection::close(std::string_view reason) {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  watch_.want(0);
  read_again_.cancel();
  callbacks_.onClosed(reason);
}

void Connection::setReading(bool reading) {
  if (reading_ == reading) return;
  reading_ = reading;
  if (state_ != State::kOpen) return;
  updateInterest();
  if (reading && transport_->hasBufferedInput()) read_again_.schedule();
}

}  // namespace meshgate::io
