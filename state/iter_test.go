package state

import (
	"fmt"
	"testing"
)

func TestIterateMergesWritesOverStore(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	st := s.NewState()
	for _, k := range []string{"x/a", "x/c", "x/e", "y/z"} {
		st.Set([]byte(k), []byte("old"+k))
	}
	commit(t, s, st, 0)

	st = s.NewState()
	st.Set([]byte("x/b"), []byte("new"))  // only in writes
	st.Set([]byte("x/c"), []byte("newc")) // overrides the store
	st.Set([]byte("x/e"), nil)            // deleted
	st.Set([]byte("x/f"), []byte("newf")) // after every stored key
	var got []string
	st.Iterate([]byte("x/"), func(k, v []byte) bool {
		got = append(got, fmt.Sprintf("%s=%s", k, v))
		return true
	})
	want := []string{"x/a=oldx/a", "x/b=new", "x/c=newc", "x/f=newf"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	n := 0
	st.Iterate([]byte("x/"), func(k, v []byte) bool { n++; return n < 2 })
	if n != 2 {
		t.Fatalf("stop after 2: visited %d", n)
	}
}
