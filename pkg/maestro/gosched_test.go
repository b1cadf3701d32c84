package maestro_test

import "runtime"

func runtimeGosched() { runtime.Gosched() }
