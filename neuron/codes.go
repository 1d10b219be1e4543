package neuron

import "net/http"

// Code is the reason an axon gives for refusing or failing a request. It
// travels in the HeaderError header and in the JSON error body
// {"code": …, "error": …}; the HTTP status is the code's Status.
type Code string

// Refusal codes. They are part of the wire format: never rename.
const (
	CodeBadRequest    Code = "bad_request"    // malformed headers or path
	CodeUnknownKind   Code = "unknown_kind"   // no handler for the request kind
	CodeWrongChain    Code = "wrong_chain"    // chain ID or netuid is not the axon's
	CodeWrongAxon     Code = "wrong_axon"     // the request names another axon hotkey
	CodeNotRegistered Code = "not_registered" // caller is not a neuron of the subnet
	CodeNoPermit      Code = "no_permit"      // axon requires a validator permit
	CodeLowStake      Code = "low_stake"      // caller's stake below the axon's minimum
	CodeStaleNonce    Code = "stale_nonce"    // nonce outside the axon's clock window
	CodeReplay        Code = "replayed_nonce" // nonce not above the caller's last one
	CodeBadSignature  Code = "bad_signature"  // signature malformed or not the caller's
	CodeTooLarge      Code = "body_too_large" // body above the axon's limit
	CodeRateLimited   Code = "rate_limited"   // caller above its request rate
	CodeBusy          Code = "busy"           // queue full of callers with more stake
	CodeShed          Code = "shed"           // queued, then displaced by a caller with more stake
	CodeBadBody       Code = "bad_body"       // body is not the kind's JSON request
	CodeHandler       Code = "handler_error"  // the handler failed
	CodeTimeout       Code = "timeout"        // the request expired while queued or handled
)

// Status is the HTTP status an axon answers with for c.
func (c Code) Status() int {
	switch c {
	case CodeBadRequest, CodeWrongChain, CodeBadBody:
		return http.StatusBadRequest
	case CodeUnknownKind:
		return http.StatusNotFound
	case CodeWrongAxon:
		return http.StatusMisdirectedRequest
	case CodeNotRegistered, CodeNoPermit, CodeLowStake:
		return http.StatusForbidden
	case CodeStaleNonce, CodeReplay, CodeBadSignature:
		return http.StatusUnauthorized
	case CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeRateLimited:
		return http.StatusTooManyRequests
	case CodeBusy, CodeShed:
		return http.StatusServiceUnavailable
	case CodeTimeout:
		return http.StatusGatewayTimeout
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON body of a refusal or failure.
type ErrorBody struct {
	Code  Code   `json:"code"`
	Error string `json:"error"`
}
