package secrets_test

import (
	"encoding/json"
	"fmt"

	"github.com/harmony-go/harmony/secrets"
)

type DatabaseLogin struct {
	User     string        `json:"user"`
	Password secrets.Value `json:"password"`
}

// A secret's name derives from its type and instance; the environment
// variable that supplies it derives from the name.
func ExampleNameFor() {
	name := secrets.NameFor[DatabaseLogin]("Prod")
	fmt.Println(name)
	fmt.Println(name.EnvVar())
	fmt.Println(secrets.UserSeedName("HARMONY", "agent").EnvVar())
	// Output:
	// database-login-prod
	// HARMONY_SECRET_DATABASE_LOGIN_PROD
	// HARMONY_SECRET_NATS_USER_HARMONY_AGENT
}

// A Value prints as REDACTED everywhere; Reveal is the only way out.
func ExampleValue() {
	login := DatabaseLogin{User: "app", Password: secrets.NewValue("hunter2")}
	out, _ := json.Marshal(login)
	fmt.Printf("%v\n%+v\n%#v\n%s\n", login.Password, login, login.Password, out)
	fmt.Println(login.Password.Reveal())
	// Output:
	// REDACTED
	// {User:app Password:REDACTED}
	// REDACTED
	// {"user":"app","password":"REDACTED"}
	// hunter2
}
