from svcs_di import injectable


@injectable
class UserService:
    limit = 10
