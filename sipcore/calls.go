package sipcore

import (
	"context"
	"slices"
	"time"

	"github.com/emiago/sipgo/sip"

	"deskphone/hal"
)

// allEndpoints are the phone's audio endpoints, the handset first.
var allEndpoints = []hal.Endpoint{hal.Handset, hal.Speaker, hal.Headset}

// enabledEndpoints are the endpoints calls may open (Hooks.Endpoints).
func (e *Engine) enabledEndpoints() []hal.Endpoint {
	if e.hooks.Endpoints == nil {
		return allEndpoints
	}
	return e.hooks.Endpoints()
}

func (e *Engine) endpointEnabled(ep hal.Endpoint) bool {
	return slices.Contains(e.enabledEndpoints(), ep)
}

// startEndpoint is where a call's audio starts: Hooks.Endpoint when it is
// enabled, else the first enabled endpoint.
func (e *Engine) startEndpoint() hal.Endpoint {
	ep := hal.Endpoint(cmpOr(string(e.hooks.Endpoint), string(hal.Handset)))
	if e.endpointEnabled(ep) {
		return ep
	}
	if en := e.enabledEndpoints(); len(en) > 0 {
		return en[0]
	}
	return ep
}

// remember adds a call; check-sync waits while any call is up.
func (e *Engine) remember(c *Call) {
	e.mu.Lock()
	if e.calls == nil {
		e.calls = map[string]*Call{}
	}
	e.calls[c.callID] = c
	e.order = append(e.order, c)
	e.mu.Unlock()
	e.SetInCall(true)
}

// forget drops an ended call.
func (e *Engine) forget(c *Call) {
	e.mu.Lock()
	if e.calls[c.callID] == c {
		delete(e.calls, c.callID)
	}
	e.order = slices.DeleteFunc(e.order, func(o *Call) bool { return o == c })
	idle := len(e.calls) == 0
	e.mu.Unlock()
	if idle {
		e.SetInCall(false)
	}
}

// call is the call with a Call-ID, or nil.
func (e *Engine) call(id string) *Call {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.calls[id]
}

// Calls are the calls up or ringing, oldest first.
func (e *Engine) Calls() []*Call {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.order)
}

func (e *Engine) callChanged(c *Call, s CallState) {
	if e.hooks.OnCall != nil {
		e.hooks.OnCall(c, s)
	}
}

// onBye ends the call the peer hangs up.
func (e *Engine) onBye(req *sip.Request, tx sip.ServerTransaction) {
	c := e.call(req.CallID().Value())
	if c == nil || req.From().Params == nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
		return
	}
	_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
	c.end(CallEnded, "the other party hung up")
}

// endCalls hangs every call up when the engine stops (bounded: the stack
// closes right after).
func (e *Engine) endCalls() {
	for _, c := range e.Calls() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = c.Hangup(ctx)
		cancel()
		c.end(CallEnded, "the phone stopped")
	}
}
