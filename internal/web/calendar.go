package web

func (s *Server) registerCalendar() {}
