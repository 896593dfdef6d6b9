class LogMiddleware:
    def __call__(self, target, props, context):
        return target
