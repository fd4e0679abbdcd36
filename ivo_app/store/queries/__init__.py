"""The read queries of the services, one module per area: functions taking a Session (or the
connection of a bulk write) and returning rows, values or typed tuples, never ORM objects to edit
unless their name says so. They do not commit: the caller's unit of work holds the transaction."""
