"""The DMP transactions (TD0.x, TD1.6, TD2.1, TD3.x): each builds the payload of its SOAP
body, hands it to a :class:`~cardbridge.dmp.transport.Transport` and reads the answer into
typed results or typed errors. docs/dmp-client.md describes each one."""
