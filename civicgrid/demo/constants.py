class Verb:
    BUILT = "demo.built"
    RESET = "demo.reset"
