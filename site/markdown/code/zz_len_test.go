package code; import ("testing";"fmt"); func TestZZLen(t *testing.T){ fmt.Println("CSS bytes:", len(CSS())) }
