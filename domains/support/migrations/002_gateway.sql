-- Numbers for tickets the gateway opens (T-5000 on); imported and demo tickets keep theirs.
CREATE SEQUENCE ticket_number START 5000;
