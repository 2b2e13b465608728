"""The services' common library: config, database, event contracts, bus, auth and errors."""
