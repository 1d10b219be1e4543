package explorer_test

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// A minimal Chrome DevTools Protocol client: enough to drive Debian's
// headless Chromium through a page (navigate, evaluate, screenshot) without
// a browser-automation dependency.

// chromiumHelp is how to get a browser for these tests.
const chromiumHelp = "the explorer's browser tests need Chromium: apt-get update && apt-get install -y chromium " +
	"(Debian/Ubuntu; .ci/run does this), or set CHROMIUM=/path/to/chrome"

// findChromium returns the browser to drive: $CHROMIUM, else the first of
// the usual names on PATH.
func findChromium() (string, error) {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome", "headless_shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no chromium on PATH")
}

// browser is one headless Chromium with one page attached.
type browser struct {
	t       testing.TB
	conn    *websocket.Conn
	session string

	wmu sync.Mutex // serialises writes
	mu  sync.Mutex
	id  int
	res map[int]chan cdpReply
}

type cdpReply struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// startBrowser launches Chromium (it fails the test when there is none:
// this test does not skip) and opens a page of width × height CSS pixels.
func startBrowser(t testing.TB, width, height int) *browser {
	t.Helper()
	bin, err := findChromium()
	if err != nil {
		t.Fatalf("%v: %s", err, chromiumHelp)
	}
	// The profile is not a t.TempDir: Chromium's helper processes may still
	// write in it for a moment after the browser is gone, and TempDir's
	// cleanup fails the test on a directory that is not empty.
	profile, err := os.MkdirTemp("", "taod-explorer-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
		"--remote-debugging-port=0", "--user-data-dir="+profile, fmt.Sprintf("--window-size=%d,%d", width, height), "about:blank")
	// Its own process group, so stopping it stops its helpers too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(profile)
		t.Fatalf("start %s: %v (%s)", bin, err, chromiumHelp)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
		for range 50 { // the group's last writers may take a moment to go
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if _, url, ok := strings.Cut(sc.Text(), "DevTools listening on "); ok {
				select {
				case found <- url:
				default:
				}
			}
		}
	}()
	var wsURL string
	select {
	case wsURL = <-found:
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not announce its DevTools endpoint within 30 s", bin)
	}
	conn, _, err := websocket.DefaultDialer.Dial(wsURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	conn.SetReadLimit(64 << 20) // screenshots
	b := &browser{t: t, conn: conn, res: make(map[int]chan cdpReply)}
	go b.read()
	t.Cleanup(func() { conn.Close() })
	var target struct {
		TargetID string `json:"targetId"`
	}
	b.call("", "Target.createTarget", map[string]any{"url": "about:blank"}, &target)
	var att struct {
		SessionID string `json:"sessionId"`
	}
	b.call("", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att)
	b.session = att.SessionID
	b.viewport(width, height, false)
	return b
}

// read hands each reply to its caller; events are dropped.
func (b *browser) read() {
	for {
		var m struct {
			ID int `json:"id"`
			cdpReply
		}
		if err := b.conn.ReadJSON(&m); err != nil {
			return
		}
		b.mu.Lock()
		ch := b.res[m.ID]
		delete(b.res, m.ID)
		b.mu.Unlock()
		if ch != nil {
			ch <- m.cdpReply
		}
	}
}

// call sends one command (to the page when session is the page's) and
// decodes its result into out.
func (b *browser) call(session, method string, params any, out any) {
	b.t.Helper()
	b.mu.Lock()
	b.id++
	id := b.id
	ch := make(chan cdpReply, 1)
	b.res[id] = ch
	b.mu.Unlock()
	msg := map[string]any{"id": id, "method": method, "params": params}
	if session != "" {
		msg["sessionId"] = session
	}
	b.wmu.Lock()
	err := b.conn.WriteJSON(msg)
	b.wmu.Unlock()
	if err != nil {
		b.t.Fatalf("cdp %s: %v", method, err)
	}
	select {
	case r := <-ch:
		if r.Error != nil {
			b.t.Fatalf("cdp %s: %s", method, r.Error.Message)
		}
		if out != nil {
			if err := json.Unmarshal(r.Result, out); err != nil {
				b.t.Fatalf("cdp %s: %v", method, err)
			}
		}
	case <-time.After(60 * time.Second):
		b.t.Fatalf("cdp %s: no answer in 60 s", method)
	}
}

// viewport sets the page's size (mobile: a phone's touch viewport).
func (b *browser) viewport(width, height int, mobile bool) {
	b.call(b.session, "Emulation.setDeviceMetricsOverride", map[string]any{
		"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}, nil)
}

// eval evaluates a JavaScript expression in the page and decodes its value.
func (b *browser) eval(expr string, out any) {
	b.t.Helper()
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		Exception *struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	b.call(b.session, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &r)
	if r.Exception != nil {
		b.t.Fatalf("eval %q: %s", expr, r.Exception.Text)
	}
	if out != nil && len(r.Result.Value) > 0 {
		if err := json.Unmarshal(r.Result.Value, out); err != nil {
			b.t.Fatalf("eval %q: %v", expr, err)
		}
	}
}

// text is an element's text, "" if there is none.
func (b *browser) text(selector string) string {
	var s string
	b.eval(fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || ""`, selector), &s)
	return s
}

// attr is a data- attribute of the page's body.
func (b *browser) attr(name string) string {
	var s string
	b.eval(fmt.Sprintf(`document.body.dataset[%q] || ""`, name), &s)
	return s
}

// waitFor polls a JavaScript condition until it is true.
func (b *browser) waitFor(expr string, timeout time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var ok bool
		b.eval("!!("+expr+")", &ok)
		if ok {
			return
		}
		if time.Now().After(deadline) {
			var state, body string
			b.eval(`document.body.dataset.state + " " + (document.body.dataset.route || "")`, &state)
			b.eval(`document.getElementById("main").textContent.slice(0, 400)`, &body)
			b.t.Fatalf("waited %v for %s (page state %q): %s", timeout, expr, state, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// open navigates to url and waits until the page rendered route; it
// returns the page's own render time (data-load-ms).
func (b *browser) open(url, route string) time.Duration {
	b.t.Helper()
	// Forget the last render, so that neither a full load nor a hash
	// change is mistaken for done before the page drew the new route.
	b.eval(`document.body && delete document.body.dataset.route`, nil)
	b.call(b.session, "Page.navigate", map[string]any{"url": url}, nil)
	// The state is read in the same evaluation that finds the route drawn:
	// the overview redraws itself on new heads (state "loading" again), so
	// a second read could catch the next render, not this one.
	done := fmt.Sprintf(`document.body && document.body.dataset.route === %q && document.body.dataset.state !== "loading"`, route)
	b.waitFor(fmt.Sprintf(`(window.__opened = (%s) ? document.body.dataset.state : "")`, done), 60*time.Second)
	var st string
	b.eval(`window.__opened`, &st)
	if st != "ready" {
		b.t.Fatalf("%s: page state %q: %s", url, st, b.text("#main"))
	}
	var ms int
	b.eval(`Number(document.body.dataset.loadMs)`, &ms)
	return time.Duration(ms) * time.Millisecond
}

// screenshot saves the whole page as dir/name.png and returns its path.
func (b *browser) screenshot(dir, name string) string {
	b.t.Helper()
	var r struct {
		Data string `json:"data"`
	}
	b.call(b.session, "Page.captureScreenshot", map[string]any{"format": "png", "captureBeyondViewport": true}, &r)
	png, err := base64.StdEncoding.DecodeString(r.Data)
	if err != nil {
		b.t.Fatal(err)
	}
	if len(png) < 8 || string(png[1:4]) != "PNG" {
		b.t.Fatalf("screenshot %s is not a PNG (%d bytes)", name, len(png))
	}
	p := filepath.Join(dir, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	return p
}
