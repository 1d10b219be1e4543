package neuron

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

// docsSigning is the "Request signing" section of docs/subnets.md, the
// wire format other languages implement.
func docsSigning(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../docs/subnets.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "\n## Request signing\n")
	if !ok {
		t.Fatal(`docs/subnets.md has no "## Request signing" section`)
	}
	return sec
}

// The documented format is the code's: every test vector value, the
// domain tags and the path, every header name, and every refusal code with its HTTP status (a row of the
// docs' table per code, the status as Code.Status says). Without this the
// docs could drift from what the axon and dendrite do.
func TestDocsMatchTheWireFormat(t *testing.T) {
	sec := docsSigning(t)
	for name, v := range map[string]string{
		"caller key": vecCallerKey, "axon key": vecAxonKey, "caller": vecCaller, "axon": vecAxon,
		"body": vecBody, "body hash": vecBodyHash, "request hash": vecReqHash, "request signature": vecReqSig,
		"response body": vecRespBody, "response hash": vecRespHash, "response signature": vecRespSig,
	} {
		if !strings.Contains(sec, "`"+v+"`") {
			t.Errorf("test vector %s %s is not in the docs", name, v)
		}
	}
	for _, want := range []string{"`" + RequestDomain + "`", `"` + ResponseDomain + `"`, "`POST " + PathPrefix + "<kind>`"} {
		if !strings.Contains(sec, want) {
			t.Errorf("%s is not in the docs", want)
		}
	}
	for _, h := range []string{HeaderChainID, HeaderNetuid, HeaderNonce, HeaderCaller, HeaderAxon, HeaderSignature, HeaderRequestHash, HeaderError} {
		if !strings.Contains(sec, "`"+h+"`") {
			t.Errorf("header %s is not in the docs", h)
		}
	}
	for _, c := range []Code{CodeBadRequest, CodeUnknownKind, CodeWrongChain, CodeWrongAxon, CodeNotRegistered, CodeNoPermit,
		CodeLowStake, CodeStaleNonce, CodeReplay, CodeBadSignature, CodeTooLarge, CodeRateLimited, CodeBusy, CodeShed,
		CodeBadBody, CodeHandler, CodeTimeout} {
		row := regexp.MustCompile(fmt.Sprintf("(?m)^\\| `%s` +\\| (\\d+) +\\|", regexp.QuoteMeta(string(c))))
		m := row.FindAllStringSubmatch(sec, -1)
		if len(m) == 0 {
			t.Errorf("code %s has no row in the docs' table", c)
		}
		for _, r := range m {
			if r[1] != fmt.Sprint(c.Status()) {
				t.Errorf("docs give %s HTTP %s, the axon answers %d", c, r[1], c.Status())
			}
		}
	}
}
