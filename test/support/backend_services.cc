#include "support/backend_services.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include "proto/test_service.grpc.pb.h"
#include "support/backend_state.h"
#include "support/test_backend.h"
#include "support/timer_thread.h"

namespace meshgate::testing {
namespace {

constexpr const char* kEmptyCall = kEmptyCallMethod;
constexpr const char* kUnaryCall = kUnaryCallMethod;
constexpr const char* kStreamingOutputCall = kStreamingOutputCallMethod;
constexpr const char* kStreamingInputCall = kStreamingInputCallMethod;
constexpr const char* kFullDuplexCall = kFullDuplexCallMethod;
constexpr const char* kWhoami = kWhoamiMethod;

// Payload bytes follow a fixed pattern, so a test can check a large body arrived intact.
std::string patternBytes(size_t size) { return backendPayload(size); }

grpc::Status toStatus(const EchoStatus& echo) {
  return grpc::Status(static_cast<grpc::StatusCode>(echo.code()), echo.message());
}

grpc::Status toStatus(const FailPlan& plan) {
  return grpc::Status(static_cast<grpc::StatusCode>(plan.status), plan.message);
}

// A unary call: the handler fills the response and finishes at once; the reactor only records
// cancellation and completion.
class UnaryReactor final : public grpc::ServerUnaryReactor {
 public:
  UnaryReactor(BackendState& state, size_t call) : state_(state), call_(call) {}
  void OnCancel() override { state_.cancelled(call_); }
  void OnDone() override {
    state_.done(call_);
    delete this;
  }

 private:
  BackendState& state_;
  const size_t call_;
};

// TestBackend::failAll: finishes a unary call with the backend-wide failure, if one is set.
bool finishWithFailure(BackendState& state, grpc::ServerUnaryReactor* reactor) {
  BackendState::Failure failure = state.failure();
  if (failure.code == 0) return false;
  if (failure.after_headers) reactor->StartSendInitialMetadata();
  reactor->Finish(grpc::Status(static_cast<grpc::StatusCode>(failure.code),
                               "failAll on backend " + state.id()));
  return true;
}

// Sends a list of responses, each after its interval, on a server-streaming or bidi reactor
// (`Base`), then calls afterResponses(). Decisions happen under mutex_; StartWrite and Finish are
// called without it, and nothing touches `this` after Finish (OnDone may delete it at once).
template <class Base>
class Responder : public Base {
 public:
  void OnCancel() override {
    state_.cancelled(call_);
    bool finish_now = false;
    {
      std::lock_guard lock(mutex_);
      cancelled_ = true;
      // A timer or parked response that is taken back here will never run: finish instead.
      // One that already started sees cancelled_ and finishes itself.
      if (timer_pending_ && timers_.cancel(timer_)) {
        timer_pending_ = false;
        finish_now = true;
      }
      if (parked_ && state_.unpark(this)) {
        parked_ = false;
        finish_now = true;
      }
    }
    if (finish_now) Base::Finish(grpc::Status::CANCELLED);
  }

  void OnWriteDone(bool ok) override {
    state_.writeDone(write_token_, response_.payload().body().size(), ok);
    if (!ok) {
      Base::Finish(grpc::Status::CANCELLED);
      return;
    }
    ++next_;
    step();
  }

  void OnDone() override {
    state_.done(call_);
    delete this;
  }

 protected:
  Responder(BackendState& state, TimerThread& timers, grpc::CallbackServerContext* context,
            std::string_view method)
      : state_(state), call_(state.beginCall(context, method)), timers_(timers) {}

  // Called when every response is written; finishes the call or reads on.
  virtual void afterResponses() = 0;

  void startResponses(std::vector<ResponseParameters> plan) {
    {
      std::lock_guard lock(mutex_);
      plan_ = std::move(plan);
      next_ = 0;
    }
    step();
  }

  bool isCancelled() {
    std::lock_guard lock(mutex_);
    return cancelled_;
  }

 private:
  enum class Action { kNone, kFinishCancelled, kAfterResponses, kWrite };

  void step() {
    Action action = Action::kNone;
    {
      std::lock_guard lock(mutex_);
      if (cancelled_) {
        action = Action::kFinishCancelled;
      } else if (next_ == plan_.size()) {
        action = Action::kAfterResponses;
      } else if (next_ > 0 && state_.parkIfHeld(this, [this] { resumeFromHold(); })) {
        parked_ = true;
      } else {
        action = scheduleLocked();
      }
    }
    run(action);
  }

  void resumeFromHold() {
    Action action;
    {
      std::lock_guard lock(mutex_);
      parked_ = false;
      action = cancelled_ ? Action::kFinishCancelled : scheduleLocked();
    }
    run(action);
  }

  // Arms the interval's timer (kNone), or asks for the write now.
  Action scheduleLocked() {
    const auto interval = std::chrono::microseconds(plan_[next_].interval_us());
    if (interval.count() <= 0) return Action::kWrite;
    timer_pending_ = true;
    timer_ = timers_.schedule(TimerThread::Clock::now() + interval, [this] {
      Action action;
      {
        std::lock_guard lock(mutex_);
        timer_pending_ = false;
        action = cancelled_ ? Action::kFinishCancelled : Action::kWrite;
      }
      run(action);
    });
    return Action::kNone;
  }

  void run(Action action) {
    switch (action) {
      case Action::kNone:
        return;
      case Action::kFinishCancelled:
        Base::Finish(grpc::Status::CANCELLED);
        return;
      case Action::kAfterResponses:
        afterResponses();
        return;
      case Action::kWrite:
        response_.mutable_payload()->set_body(patternBytes(plan_[next_].size()));
        write_token_ = state_.writeStarted();
        Base::StartWrite(&response_);
        return;
    }
  }

 protected:
  BackendState& state_;
  const size_t call_;

 private:
  TimerThread& timers_;
  std::mutex mutex_;
  bool cancelled_ = false;
  bool parked_ = false;
  bool timer_pending_ = false;
  uint64_t timer_ = 0;
  std::vector<ResponseParameters> plan_;
  size_t next_ = 0;
  StreamingOutputCallResponse response_;
  uint64_t write_token_ = 0;
};

class OutputReactor final
    : public Responder<grpc::ServerWriteReactor<StreamingOutputCallResponse>> {
 public:
  OutputReactor(BackendState& state, TimerThread& timers, grpc::CallbackServerContext* context,
                const StreamingOutputCallRequest& request)
      : Responder(state, timers, context, kStreamingOutputCall),
        echo_status_(request.echo_status()),
        plan_(state.failPlan(call_)) {
    if (plan_.fail && plan_.mode == FailPlan::Mode::kAfterMessage) {
      ResponseParameters one;
      one.set_size(8);
      startResponses({one});
      return;
    }
    if (plan_.fail) {
      if (plan_.mode == FailPlan::Mode::kHeadersThenTrailers) StartSendInitialMetadata();
      Finish(toStatus(plan_));
      return;
    }
    startResponses({request.response_parameters().begin(), request.response_parameters().end()});
  }

 private:
  void afterResponses() override { Finish(plan_.fail ? toStatus(plan_) : toStatus(echo_status_)); }

  const EchoStatus echo_status_;
  const FailPlan plan_;
};

class DuplexReactor final
    : public Responder<
          grpc::ServerBidiReactor<StreamingOutputCallRequest, StreamingOutputCallResponse>> {
 public:
  DuplexReactor(BackendState& state, TimerThread& timers, grpc::CallbackServerContext* context)
      : Responder(state, timers, context, kFullDuplexCall) {
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(isCancelled() ? grpc::Status::CANCELLED : grpc::Status::OK);
      return;
    }
    if (request_.echo_status().code() != 0) {
      Finish(toStatus(request_.echo_status()));
      return;
    }
    startResponses({request_.response_parameters().begin(), request_.response_parameters().end()});
  }

 private:
  void afterResponses() override { StartRead(&request_); }

  StreamingOutputCallRequest request_;
};

class InputReactor final : public grpc::ServerReadReactor<StreamingInputCallRequest> {
 public:
  InputReactor(BackendState& state, grpc::CallbackServerContext* context,
               StreamingInputCallResponse* response)
      : state_(state),
        call_(state.beginCall(context, kStreamingInputCall)),
        response_(response),
        plan_(state.failPlan(call_)) {
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (ok) {
      aggregated_ += static_cast<int32_t>(request_.payload().body().size());
      StartRead(&request_);
      return;
    }
    response_->set_aggregated_payload_size(aggregated_);
    // Knobs fail the call once the whole request was read.
    if (plan_.fail && !cancelled_) {
      Finish(toStatus(plan_));
      return;
    }
    Finish(cancelled_ ? grpc::Status::CANCELLED : grpc::Status::OK);
  }
  void OnCancel() override {
    cancelled_ = true;
    state_.cancelled(call_);
  }
  void OnDone() override {
    state_.done(call_);
    delete this;
  }

 private:
  BackendState& state_;
  const size_t call_;
  StreamingInputCallResponse* response_;
  StreamingInputCallRequest request_;
  int32_t aggregated_ = 0;
  std::atomic<bool> cancelled_ = false;
  const FailPlan plan_;
};

class TestServiceImpl final : public TestService::CallbackService {
 public:
  TestServiceImpl(BackendState& state, TimerThread& timers) : state_(state), timers_(timers) {}

  grpc::ServerUnaryReactor* EmptyCall(grpc::CallbackServerContext* context, const Empty*,
                                      Empty*) override {
    auto* reactor = new UnaryReactor(state_, state_.beginCall(context, kEmptyCall));
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  grpc::ServerUnaryReactor* UnaryCall(grpc::CallbackServerContext* context,
                                      const SimpleRequest* request,
                                      SimpleResponse* response) override {
    size_t call = state_.beginCall(context, kUnaryCall);
    auto* reactor = new UnaryReactor(state_, call);
    if (finishWithFailure(state_, reactor)) return reactor;
    if (FailPlan plan = state_.failPlan(call); plan.fail) {
      // A unary response cannot carry a message and an error: after-message sends headers.
      if (plan.mode != FailPlan::Mode::kTrailersOnly) reactor->StartSendInitialMetadata();
      reactor->Finish(toStatus(plan));
      return reactor;
    }
    response->mutable_payload()->set_body(
        patternBytes(static_cast<size_t>(std::max(0, request->response_size()))));
    if (request->fill_server_id()) response->set_server_id(state_.id());
    reactor->Finish(toStatus(request->echo_status()));
    return reactor;
  }

  grpc::ServerWriteReactor<StreamingOutputCallResponse>* StreamingOutputCall(
      grpc::CallbackServerContext* context, const StreamingOutputCallRequest* request) override {
    return new OutputReactor(state_, timers_, context, *request);
  }

  grpc::ServerReadReactor<StreamingInputCallRequest>* StreamingInputCall(
      grpc::CallbackServerContext* context, StreamingInputCallResponse* response) override {
    return new InputReactor(state_, context, response);
  }

  grpc::ServerBidiReactor<StreamingOutputCallRequest, StreamingOutputCallResponse>* FullDuplexCall(
      grpc::CallbackServerContext* context) override {
    return new DuplexReactor(state_, timers_, context);
  }

 private:
  BackendState& state_;
  TimerThread& timers_;
};

class OtherServiceImpl final : public OtherService::CallbackService {
 public:
  explicit OtherServiceImpl(BackendState& state) : state_(state) {}

  grpc::ServerUnaryReactor* Whoami(grpc::CallbackServerContext* context, const WhoamiRequest*,
                                   WhoamiResponse* response) override {
    auto* reactor = new UnaryReactor(state_, state_.beginCall(context, kWhoami));
    if (finishWithFailure(state_, reactor)) return reactor;
    response->set_server_id(state_.id());
    response->set_service("meshgate.testing.OtherService");
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  BackendState& state_;
};

}  // namespace

std::unique_ptr<grpc::Service> makeTestService(BackendState& state, TimerThread& timers) {
  return std::make_unique<TestServiceImpl>(state, timers);
}

std::unique_ptr<grpc::Service> makeOtherService(BackendState& state) {
  return std::make_unique<OtherServiceImpl>(state);
}

}  // namespace meshgate::testing
