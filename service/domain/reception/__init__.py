"""Reception of citizens: reception days and bookings (schedule), the reception book (book), and the
"already reported here" suggestions with their supporters (similar, supporters)."""
