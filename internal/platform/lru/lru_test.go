package lru

import (
	"fmt"
	"sync"
	"testing"
)

func TestCacheDropsTheLeastRecentlyUsed(t *testing.T) {
	c := New[string, int](2)
	c.Put("a", 1)
	c.Put("b", 2)
	if v, ok := c.Get("a"); !ok || v != 1 { // a is now the most recent
		t.Fatalf("get a: got %d %v", v, ok)
	}
	c.Put("c", 3) // drops b
	if _, ok := c.Get("b"); ok {
		t.Error("b: still cached, want dropped as least recently used")
	}
	for k, want := range map[string]int{"a": 1, "c": 3} {
		if v, ok := c.Get(k); !ok || v != want {
			t.Errorf("%s: got %d %v, want %d", k, v, ok, want)
		}
	}
	c.Put("a", 10) // replaces, does not grow
	if v, _ := c.Get("a"); v != 10 || c.Len() != 2 {
		t.Errorf("after replacing a: got %d, len %d; want 10, 2", v, c.Len())
	}
	c.DeleteFunc(func(k string, v int) bool { return v > 5 })
	if _, ok := c.Get("a"); ok || c.Len() != 1 {
		t.Errorf("after DeleteFunc: a cached %v, len %d; want dropped, 1", ok, c.Len())
	}
}

func TestCacheIsSafeForConcurrentUse(t *testing.T) {
	c := New[string, int](16)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				k := fmt.Sprint((g + i) % 40)
				c.Put(k, i)
				c.Get(k)
			}
		})
	}
	wg.Wait()
	if c.Len() > 16 {
		t.Fatalf("len %d, want at most 16", c.Len())
	}
}
