-- llm.data readers (filled in below).
return {}
