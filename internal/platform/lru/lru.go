// Package lru is a small bounded cache that drops the least recently used
// entry, safe for concurrent use. The areas keep immutable things in it
// (published guides, item snapshots), so a cached entry never goes stale.
package lru

import (
	"container/list"
	"sync"
)

// Cache holds at most max entries.
type Cache[K comparable, V any] struct {
	mu    sync.Mutex
	max   int
	order *list.List // front: most recent; values are entry[K, V]
	byKey map[K]*list.Element
}

type entry[K comparable, V any] struct {
	key K
	val V
}

// New returns an empty cache of at most max entries.
func New[K comparable, V any](max int) *Cache[K, V] {
	return &Cache[K, V]{max: max, order: list.New(), byKey: map[K]*list.Element{}}
}

// Get returns the value of key and marks it used.
func (c *Cache[K, V]) Get(key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[key]
	if !ok {
		var zero V
		return zero, false
	}
	c.order.MoveToFront(e)
	return e.Value.(entry[K, V]).val, true
}

// Put sets the value of key, dropping the least recently used entry when
// the cache is full.
func (c *Cache[K, V]) Put(key K, val V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[key]; ok {
		e.Value = entry[K, V]{key, val}
		c.order.MoveToFront(e)
		return
	}
	c.byKey[key] = c.order.PushFront(entry[K, V]{key, val})
	for c.order.Len() > c.max {
		last := c.order.Back()
		delete(c.byKey, last.Value.(entry[K, V]).key)
		c.order.Remove(last)
	}
}

// DeleteFunc drops every entry for which drop returns true.
func (c *Cache[K, V]) DeleteFunc(drop func(K, V) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for e := c.order.Front(); e != nil; {
		next := e.Next()
		if en := e.Value.(entry[K, V]); drop(en.key, en.val) {
			delete(c.byKey, en.key)
			c.order.Remove(e)
		}
		e = next
	}
}

// Len is the number of entries.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
