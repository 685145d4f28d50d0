package web

// registerPlatform adds the pages and API of the platform services:
// notifications, the development message sink, the outbox and jobs.
func (s *Server) registerPlatform() {}
