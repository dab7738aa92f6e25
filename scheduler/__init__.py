"""APScheduler says *when* to sweep; the sweeps derive due work from the database."""
